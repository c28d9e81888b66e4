"""Python versions of the tools the micro-agent is trained with (used by data.py and eval.py)."""
import ast
import json
import math
import os
import re
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS_PATH = os.path.join(HERE, "..", "..", "corpus", "passages.jsonl")

TOOL_SPECS = {
    "calculator": {
        "type": "function",
        "function": {
            "name": "calculator",
            "description": "Evaluate an arithmetic expression with + - * / and parentheses.",
            "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}, "required": ["expression"]},
        },
    },
    "get_current_temperature": {
        "type": "function",
        "function": {
            "name": "get_current_temperature",
            "description": "Get the current temperature at a location.",
            "parameters": {
                "type": "object",
                "properties": {"location": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                "required": ["location"],
            },
        },
    },
    "convert_units": {
        "type": "function",
        "function": {
            "name": "convert_units",
            "description": "Convert a value between units: km mi m ft cm in kg lb g oz L gal C F.",
            "parameters": {
                "type": "object",
                "properties": {"value": {"type": "number"}, "from_unit": {"type": "string"}, "to_unit": {"type": "string"}},
                "required": ["value", "from_unit", "to_unit"],
            },
        },
    },
    "search": {
        "type": "function",
        "function": {
            "name": "search",
            "description": "Search the knowledge corpus and return the best passages.",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
        },
    },
    # distractors: listed in prompts, never needed by the training tasks
    "get_time": {
        "type": "function",
        "function": {
            "name": "get_time",
            "description": "Get the current local time in a time zone.",
            "parameters": {"type": "object", "properties": {"timezone": {"type": "string"}}, "required": ["timezone"]},
        },
    },
    "send_email": {
        "type": "function",
        "function": {
            "name": "send_email",
            "description": "Send an email.",
            "parameters": {
                "type": "object",
                "properties": {"to": {"type": "string"}, "subject": {"type": "string"}, "body": {"type": "string"}},
                "required": ["to", "subject", "body"],
            },
        },
    },
    "translate": {
        "type": "function",
        "function": {
            "name": "translate",
            "description": "Translate text into another language.",
            "parameters": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "target_language": {"type": "string"}},
                "required": ["text", "target_language"],
            },
        },
    },
    "get_stock_price": {
        "type": "function",
        "function": {
            "name": "get_stock_price",
            "description": "Get the latest price of a stock by ticker symbol.",
            "parameters": {"type": "object", "properties": {"symbol": {"type": "string"}}, "required": ["symbol"]},
        },
    },
    "create_reminder": {
        "type": "function",
        "function": {
            "name": "create_reminder",
            "description": "Create a reminder at a given time.",
            "parameters": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "time": {"type": "string"}},
                "required": ["text", "time"],
            },
        },
    },
}
CORE_TOOLS = ["calculator", "get_current_temperature", "convert_units", "search"]
DISTRACTORS = ["get_time", "send_email", "translate", "get_stock_price", "create_reminder"]


# ---------------------------------------------------------------- calculator
def fmt_num(x):
    if isinstance(x, float):
        if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
            return str(int(x))
        s = f"{x:.4f}".rstrip("0").rstrip(".")
        return s
    return str(x)


def _eval(node):
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _eval(node.operand)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            if b == 0:
                raise ZeroDivisionError("division by zero")
            r = a / b
            return int(r) if r == int(r) else r
    raise ValueError("unsupported expression")


def calculator(expression):
    try:
        return fmt_num(_eval(ast.parse(str(expression), mode="eval")))
    except Exception as e:  # noqa: BLE001
        return f"Error: {e}"


# ---------------------------------------------------------------- weather
def weather_temp(location, seed=0):
    """Deterministic fake temperature in Celsius for a location."""
    return (zlib.crc32(f"{location.lower()}|{seed}".encode()) % 41) - 5


def c_to_f(c):
    return round(c * 9 / 5 + 32)


# ---------------------------------------------------------------- units
UNIT_FACTORS = {  # to SI base
    "km": ("length", 1000.0), "mi": ("length", 1609.344), "m": ("length", 1.0), "ft": ("length", 0.3048),
    "cm": ("length", 0.01), "in": ("length", 0.0254),
    "kg": ("mass", 1.0), "lb": ("mass", 0.45359237), "g": ("mass", 0.001), "oz": ("mass", 0.028349523125),
    "L": ("volume", 1.0), "gal": ("volume", 3.785411784),
}


def convert_units(value, from_unit, to_unit):
    try:
        value = float(value)
    except Exception:  # noqa: BLE001
        return json.dumps({"error": "value must be a number"})
    if from_unit in ("C", "F") and to_unit in ("C", "F"):
        if from_unit == to_unit:
            out = value
        elif from_unit == "C":
            out = value * 9 / 5 + 32
        else:
            out = (value - 32) * 5 / 9
    elif from_unit in UNIT_FACTORS and to_unit in UNIT_FACTORS and UNIT_FACTORS[from_unit][0] == UNIT_FACTORS[to_unit][0]:
        out = value * UNIT_FACTORS[from_unit][1] / UNIT_FACTORS[to_unit][1]
    else:
        return json.dumps({"error": f"cannot convert {from_unit} to {to_unit}"})
    out = round(out, 3)
    return json.dumps({"value": float(fmt_num(out)) if "." in fmt_num(out) else int(fmt_num(out)), "unit": to_unit})


# ---------------------------------------------------------------- search (BM25)
_TOK = re.compile(r"[a-z0-9]+")


def load_corpus():
    with open(CORPUS_PATH) as f:
        return [json.loads(l) for l in f if l.strip()]


class BM25:
    def __init__(self, docs, k1=1.2, b=0.75):
        self.docs = docs
        self.toks = [_TOK.findall((d["title"] + " " + d["title"] + " " + d["text"]).lower()) for d in docs]
        self.avg = sum(len(t) for t in self.toks) / len(self.toks)
        self.df = {}
        for t in self.toks:
            for w in set(t):
                self.df[w] = self.df.get(w, 0) + 1
        self.k1, self.b, self.n = k1, b, len(docs)

    def search(self, query, k=2):
        q = _TOK.findall(str(query).lower())
        scores = []
        for i, t in enumerate(self.toks):
            s = 0.0
            tf = {}
            for w in t:
                tf[w] = tf.get(w, 0) + 1
            for w in q:
                if w not in tf:
                    continue
                idf = math.log(1 + (self.n - self.df[w] + 0.5) / (self.df[w] + 0.5))
                f = tf[w]
                s += idf * f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * len(t) / self.avg))
            scores.append((s, i))
        scores.sort(key=lambda x: (-x[0], x[1]))
        return [self.docs[i] for s, i in scores[:k] if s > 0]


def search_response(bm25, query, k=2):
    hits = bm25.search(query, k)
    return json.dumps([{"id": h["id"], "title": h["title"], "text": h["text"]} for h in hits], ensure_ascii=False)


def first_sentence(text):
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return m.group(1) if m else text
