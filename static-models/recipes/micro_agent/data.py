"""Seeded generator of synthetic tool-calling conversations for micro-agent.

Writes data/train.jsonl and data/test.jsonl. Each line: {task, tools, messages,
enable_thinking, meta}. Messages follow the OpenAI format (assistant tool_calls with
function.arguments as a JSON string, role 'tool' results) plus `reasoning_content` for the
short <think> trace and `train: false` on assistant turns that are context, not targets.

The test split never shares cities, phrasings, numbers (the test numbers come from a
separate RNG stream and train/test items are de-duplicated) or a subset of corpus passages
with the training split.

Usage: /usr/bin/python3 data.py --train 40000 --test 100
"""
import argparse
import json
import os
import random

import tools as T
from corpus_src import build as build_corpus

HERE = os.path.dirname(os.path.abspath(__file__))

# --copy-data: the training split's copying changes (made-up cities, more phrasings, more repeat
# drills, another task mix). Off by default, so the default run reproduces the data the shipped
# weights were trained on; the drill sets always use them.
COPY = False

CITIES_TRAIN = ["Paris", "London", "Berlin", "Madrid", "Rome", "Tokyo", "Osaka", "Seoul", "Beijing", "Delhi",
                "Mumbai", "Cairo", "Nairobi", "Lagos", "Lima", "Bogota", "Santiago", "Toronto", "Chicago",
                "Boston", "Denver", "Seattle", "Miami", "Dallas", "Sydney", "Perth", "Auckland", "Oslo",
                "Helsinki", "Dublin", "Vienna", "Prague", "Warsaw", "Athens", "Lisbon", "Istanbul", "Dubai",
                "Bangkok", "Hanoi", "Manila", "Jakarta", "Singapore", "Havana", "Quito", "Accra", "Dakar",
                "Zurich", "Geneva", "Munich", "Hamburg", "Lyon", "Nice", "Milan", "Naples", "Porto",
                "Vancouver", "Montreal", "Houston", "Phoenix", "Atlanta", "Glasgow", "Cardiff", "Kyoto",
                "Busan", "Taipei", "Hong Kong", "Shanghai", "Cape Town", "Tunis", "Algiers", "Amman",
                "Tehran", "Karachi", "Dhaka", "Colombo", "Kathmandu", "San Diego", "New York", "Los Angeles",
                "Rio de Janeiro", "Buenos Aires", "Mexico City", "Edinburgh", "Stockholm", "Copenhagen"]
CITIES_TEST = ["Reykjavik", "Tallinn", "Riga", "Vilnius", "Bergen", "Antwerp", "Seville", "Valencia", "Florence",
               "Marseille", "Calgary", "Ottawa", "Portland", "Nashville", "Anchorage", "Brisbane", "Adelaide",
               "Wellington", "Casablanca", "Kigali", "Lusaka", "Osaka Bay", "Sapporo", "Chennai", "Lahore",
               "Almaty", "Tbilisi", "Baku", "Montevideo", "La Paz", "Salt Lake City", "San Jose"]

SYSTEMS = ["You are a helpful assistant.", "You are Micro Agent. Use tools when they help.",
           "You are a careful assistant that answers briefly.", "You help users with quick tasks.",
           "Answer the user. Use a tool when you need one."]

# ---------------------------------------------------------------- phrasings (train / test disjoint)
CALC1 = {
    "train": {"+": ["What is {a} plus {b}?", "Compute {a} + {b}.", "Add {a} and {b}.", "How much is {a} + {b}?",
                    "Calculate {a} + {b}.", "What's the sum of {a} and {b}?"],
              "-": ["What is {a} minus {b}?", "Compute {a} - {b}.", "Subtract {b} from {a}.", "Calculate {a} - {b}.",
                    "How much is {a} - {b}?"],
              "*": ["What is {a} times {b}?", "Compute {a} * {b}.", "Multiply {a} by {b}.", "Calculate {a} * {b}.",
                    "What's {a} multiplied by {b}?", "What is the product of {a} and {b}?"],
              "/": ["What is {a} divided by {b}?", "Compute {a} / {b}.", "Divide {a} by {b}.", "Calculate {a} / {b}."]},
    "test": {"+": ["Please work out {a} + {b}.", "I need {a} added to {b}."],
             "-": ["Please work out {a} - {b}.", "What do I get if I take {b} away from {a}?"],
             "*": ["Please work out {a} * {b}.", "Find {a} times {b} for me."],
             "/": ["Please work out {a} / {b}.", "Find {a} over {b} for me."]},
}
OPW = {"+": ("Add {b}", "add {b}"), "-": ("Subtract {b}", "subtract {b}"), "*": ("Multiply by {b}", "multiply the result by {b}"),
       "/": ("Divide by {b}", "divide the result by {b}")}
CALC2 = {"train": ["{p1}, then {p2}.", "First {p1}. Then {p2}.", "{p1} and after that {p2}."],
         "test": ["Start with this: {p1}. Next, {p2}."]}
STEP1 = {"+": "add {a} and {b}", "-": "subtract {b} from {a}", "*": "multiply {a} by {b}", "/": "divide {a} by {b}"}

TEMPSQ = {"train": ["What is the current temperature in {city}? Then compute its square.",
                    "Get the current temperature in {city}, then calculate the square of it.",
                    "Find the temperature in {city} right now and square it.",
                    "Look up the current temperature in {city} and tell me its square.",
                    "How warm is it in {city} now? Also give me the square of that temperature."],
          "test": ["Check the current temperature for {city}, then square that number.",
                   "I want the temperature in {city} at the moment and its square."]}
WEATHER = {"train": ["What is the current temperature in {city}?", "How warm is it in {city} right now?",
                     "What's the temperature in {city}?", "Tell me the current temperature in {city}."],
           "test": ["Is it hot or cold in {city} now? Give me the temperature."]}
WEATHER_F = {"train": ["What is the temperature in {city} in Fahrenheit?", "How warm is it in {city} in degrees Fahrenheit?"],
             "test": ["Give me {city}'s current temperature in Fahrenheit."]}

UNIT_NAMES = {"km": ["km", "kilometers"], "mi": ["miles", "mi"], "m": ["meters", "m"], "ft": ["feet", "ft"],
              "cm": ["centimeters", "cm"], "in": ["inches", "in"], "kg": ["kg", "kilograms"], "lb": ["pounds", "lb"],
              "g": ["grams", "g"], "oz": ["ounces", "oz"], "L": ["liters", "L"], "gal": ["gallons", "gal"],
              "C": ["degrees Celsius", "Celsius", "C"], "F": ["degrees Fahrenheit", "Fahrenheit", "F"]}
UNIT_PAIRS = [("km", "mi"), ("mi", "km"), ("m", "ft"), ("ft", "m"), ("cm", "in"), ("in", "cm"), ("kg", "lb"),
              ("lb", "kg"), ("g", "oz"), ("oz", "g"), ("L", "gal"), ("gal", "L"), ("C", "F"), ("F", "C"),
              ("km", "m"), ("m", "cm"), ("kg", "g")]
CONVERT = {"train": ["Convert {v} {fu} to {tu}.", "How many {tu} is {v} {fu}?", "What is {v} {fu} in {tu}?",
                     "Change {v} {fu} into {tu}."],
           "test": ["I have {v} {fu}; how much is that in {tu}?", "Express {v} {fu} in {tu}, please."]}

SEARCH_Q = {
    "concept": {"train": ["What is {t}?", "Explain {t}.", "Tell me about {t}.", "What does {t} mean?",
                          "Search the notes for {t}.", "Give me a definition of {t}."],
                "test": ["Could you describe {t} in one sentence?", "I need a short explanation of {t}."]},
    "capital": {"train": ["What is the capital of {t}?", "Name the capital city of {t}.", "Tell me the capital of {t}."],
                "test": ["Which city is the capital of {t}?"]},
    "element": {"train": ["What is the chemical symbol for {t}?", "What is the symbol of {t}?", "Tell me about the element {t}."],
                "test": ["Which symbol does {t} have in the periodic table?"]},
    "fact": {"train": ["Tell me about {t}.", "What do you know about {t}?", "Give me a fact about {t}.", "Search for {t}."],
             "test": ["Could you find something about {t}?", "I am curious about {t}. What is it?"]},
}

GREET = {"train": [("Hi!", "Hello! How can I help you today?"), ("Hello", "Hello! How can I help you today?"),
                   ("Good morning!", "Good morning! How can I help you today?"), ("Hey there", "Hello! How can I help you today?"),
                   ("Thanks!", "You're welcome!"), ("Thank you very much.", "You're welcome!"),
                   ("Who are you?", "I am Micro Agent, a small assistant that runs in your browser."),
                   ("What is your name?", "I am Micro Agent, a small assistant that runs in your browser.")],
         "test": [("Hello, anybody there?", "Hello! How can I help you today?"), ("Thanks a lot!", "You're welcome!"),
                  ("Tell me who you are.", "I am Micro Agent, a small assistant that runs in your browser.")]}
LISTTOOLS = {"train": ["What tools can you use?", "Which tools do you have?", "List your tools."],
             "test": ["What tools are available to you?"]}
REPEAT = {"train": ["Repeat after me: {p}", "Say exactly this: {p}", "Echo: {p}"], "test": ["Please repeat: {p}"]}
PHRASES_W = ["the quick brown fox", "agents need tools", "hello world", "small models can help", "the sky is blue",
             "tea is ready", "keep it simple", "search then answer", "numbers are fun", "the cat sat on the mat",
             "good night moon", "rain in the morning", "open the window", "read the manual", "lunch at noon"]
PHRASES_T = ["green apples are sour", "the train leaves at nine", "water the plants"]
COMPARE = {"train": ["Which is larger, {a} or {b}?", "Which number is bigger: {a} or {b}?"],
           "test": ["Of {a} and {b}, which one is greater?"]}

COUNTDOWN_PROMPT = ("Using the numbers {nums}, create an equation that equals {target}. You can use basic arithmetic "
                    "operations (+, -, *, /) and each number can only be used once. Show your work in <think> </think> "
                    "tags. And return the final answer in <answer> </answer> tags, for example <answer> (1 + 2) / 3 </answer>.")

WORKERS = {
    "research": (["researcher", "research_agent", "searcher"], "finds facts and information on the web"),
    "code": (["coder", "code_agent", "programmer"], "writes and runs Python code"),
    "math": (["math_expert", "calculator_agent", "mathematician"], "solves arithmetic and math problems"),
    "write": (["writer", "editor", "copywriter"], "writes and edits text such as emails and poems"),
    "weather": (["weather_agent", "forecaster"], "looks up weather and temperatures"),
}
SUP_TASKS = {
    "research": ["Find out who invented the telephone.", "Look up the population of {city}.", "Find the height of Mount Everest.",
                 "Research the history of {city}.", "Find recent news about solar panels."],
    "code": ["Write a Python function that reverses a string.", "Write code to sort a list of numbers.",
             "Fix the bug in my Python loop.", "Write a script that counts words in a file."],
    "math": ["Compute {a} times {b}.", "What is {a} plus {b}?", "Solve {a} divided by {b}.", "Find the square of {a}."],
    "write": ["Write a short poem about the sea.", "Draft an email inviting the team to lunch.", "Edit this sentence to sound formal.",
              "Write a haiku about autumn."],
    "weather": ["What is the weather in {city} today?", "Get the temperature in {city}."],
}
SUP_TASKS_TEST = {
    "research": ["Find facts about the moons of Jupiter."], "code": ["Write a function that checks if a number is prime."],
    "math": ["Work out {a} minus {b}."], "write": ["Compose a birthday message for my friend."],
    "weather": ["Is it raining in {city}?"],
}
SUP_DONE = {"research": "Here is what I found: the answer is in my notes above.", "code": "Here is the code:\ndef f(x):\n    return x",
            "math": "The result is {r}.", "write": "Here is the text you asked for.", "weather": "It is {t} degrees in {city}."}
SUP_SYS = ("You are a supervisor managing these workers:\n{workers}\nGiven the conversation, choose the worker to act next. "
           "When the task is done, choose FINISH. Answer with JSON {{\"next\": \"<worker>\"}}.")


SYLLABLES = ["ba", "ko", "ri", "ten", "vel", "mor", "sa", "lun", "dra", "zi", "qua", "pel", "on", "ar", "ish",
             "gor", "na", "tu", "wen", "fi", "ly", "ost", "kam", "ber", "chi", "do", "ex", "yu", "hal", "mi", "rok", "sen"]
OPENERS = ["Please ", "Hey, ", "Quick question: ", "Can you help? ", "I need this: ", "OK, ", "Hi! "]
CLOSERS = [" Thanks.", " Thank you!", " Be brief.", " Use a tool if needed."]
CALC1_EXTRA = {"+": ["Can you add {a} and {b}?", "Sum {a} and {b}.", "{a} + {b} = ?", "Tell me {a} plus {b}."],
               "-": ["Take {b} from {a}.", "{a} - {b} = ?", "Tell me {a} minus {b}.", "What is left when {b} is subtracted from {a}?"],
               "*": ["{a} * {b} = ?", "Tell me {a} times {b}.", "Can you multiply {a} and {b}?"],
               "/": ["{a} / {b} = ?", "Tell me {a} divided by {b}.", "How many times does {b} go into {a}?"]}
CONVERT_EXTRA = ["Turn {v} {fu} into {tu}.", "{v} {fu} equals how many {tu}?", "What do {v} {fu} come to in {tu}?",
                 "I measured {v} {fu}. What is that in {tu}?", "Give me {v} {fu} as {tu}.", "{v} {fu} to {tu}, please."]
WEATHER_EXTRA = ["Temperature in {city} now?", "Tell me how hot it is in {city}.", "What does the thermometer say in {city}?",
                 "Check the weather in {city}."]
TEMPSQ_EXTRA = ["Get {city}'s temperature and square it.", "Square the current temperature of {city}.",
                "What is the square of the temperature in {city} right now?"]



def enable_copy_data():
    global COPY
    if COPY:
        return
    COPY = True
    for op, extra in CALC1_EXTRA.items():
        CALC1["train"][op] += extra
    CONVERT["train"] += CONVERT_EXTRA
    WEATHER["train"] += WEATHER_EXTRA
    TEMPSQ["train"] += TEMPSQ_EXTRA


# --variety N: more training phrasings for the tasks run g generalised worst to (two-step
# calculator requests, small talk, city names followed by more words, supervisor member names).
# None is a held-out template: the test split's phrasings stay unseen, so the test still measures
# whether the intent, not a memorised sentence, decides the call.
CALC2_OPEN = ["", "", "First ", "To begin, ", "Begin by: ", "Step one: ", "Initially, ", "Please "]
CALC2_JOIN = [", then ", ". Then ", " and after that ", ". After that, ", ". Afterwards, ", ", and then ",
              ". Following that, ", ". Once done, ", ". Second, ", "; then ", ". When you have it, "]
VARIETY_TEMPSQ = ["What's the temperature in {city} at present? Square it.", "Temperature in {city} currently, squared, please.",
                  "Look up {city}'s temperature right now, then give its square.",
                  "Find the current temperature for {city} and compute the square.",
                  "Tell me the temperature in {city} today and then its square.",
                  "Get the temperature for {city}, then multiply it by itself.",
                  "How hot is it in {city} at this time? I also need that number squared."]
VARIETY_WEATHER = ["How hot is it in {city} currently?", "Is it warm in {city} today? Tell me the temperature.",
                   "What temperature is it in {city} at present?", "Get the temperature for {city}, please.",
                   "Is {city} cold right now? What is the temperature?"]
VARIETY_GREET = [("Hey!", "Hello! How can I help you today?"), ("Greetings.", "Hello! How can I help you today?"),
                 ("Good evening!", "Good evening! How can I help you today?"), ("Hi, is someone there?", "Hello! How can I help you today?"),
                 ("Hello there, how are you?", "Hello! How can I help you today?"),
                 ("Many thanks.", "You're welcome!"), ("Thanks so much!", "You're welcome!"), ("Cheers, thank you.", "You're welcome!"),
                 ("Introduce yourself.", "I am Micro Agent, a small assistant that runs in your browser."),
                 ("What are you?", "I am Micro Agent, a small assistant that runs in your browser."),
                 ("Who am I talking to?", "I am Micro Agent, a small assistant that runs in your browser."),
                 ("Describe yourself, please.", "I am Micro Agent, a small assistant that runs in your browser."),
                 ("What should I call you?", "I am Micro Agent, a small assistant that runs in your browser."),
                 ("Are you a person or a program?", "I am Micro Agent, a small assistant that runs in your browser.")]
VARIETY_LIST = ["Which tools can you call?", "Show me the tools you have.", "Name your tools.", "Tell me your tools.",
                "What tools do you have access to?"]
VARIETY_REPEAT = ["Repeat this back: {p}", "Copy this text: {p}", "Say back to me: {p}", "Write exactly this: {p}"]
VARIETY_COMPARE = ["Which is greater: {a} or {b}?", "Between {a} and {b}, which is bigger?", "Tell me the larger of {a} and {b}.",
                   "{a} or {b}: which is more?"]
VARIETY_SUP = {"research": ["Look up facts on the rings of Saturn.", "Gather information about {city}.", "Search for the tallest building in {city}."],
               "code": ["Implement a function that adds two lists.", "Create a program that prints the time.", "Write a function that sums a list."],
               "math": ["Calculate {a} minus {b}.", "Figure out {a} plus {b}.", "Evaluate {a} times {b}."],
               "write": ["Write a toast for a wedding.", "Prepare a short speech for the team.", "Draft a message for my neighbour."],
               "weather": ["Will it rain in {city} tomorrow?", "Is it sunny in {city}?", "How cold is it in {city}?"]}
VARIETY_MIX = [("calc1", 5), ("calc2", 20), ("tempsq", 15), ("weather", 8), ("convert", 4), ("search", 12), ("countdown", 4),
               ("supervisor", 16), ("direct", 16)]


def enable_variety():
    """Adds the --variety phrasings to the training tables (after the splits are written)."""
    enable_copy_data()
    CALC2["train"] += [o + "{p1}" + j + "{p2}." for o in CALC2_OPEN for j in CALC2_JOIN]
    TEMPSQ["train"] += VARIETY_TEMPSQ
    WEATHER["train"] += VARIETY_WEATHER
    GREET["train"] += VARIETY_GREET
    LISTTOOLS["train"] += VARIETY_LIST
    REPEAT["train"] += VARIETY_REPEAT
    COMPARE["train"] += VARIETY_COMPARE
    for c, extra in VARIETY_SUP.items():
        SUP_TASKS[c] += extra


def made_up_name(r):
    """A pronounceable place name that is almost never repeated (one to three words)."""
    def word():
        w = "".join(r.choice(SYLLABLES) for _ in range(r.choice([1, 2, 2, 3, 3, 4])))
        return w[0].upper() + w[1:]
    n = r.choice([1, 1, 1, 1, 2, 2, 3])
    return " ".join(word() for _ in range(n))


def made_up_phrase(r):
    """Text for the repeat drill: made-up words, digits and ordinary words mixed."""
    parts = []
    for _ in range(r.randint(2, 7)):
        k = r.random()
        if k < 0.4:
            parts.append(made_up_name(r).lower())
        elif k < 0.6:
            parts.append(str(r.randint(0, 99999)))
        else:
            parts.append(r.choice(" ".join(PHRASES_W).split()))
    return " ".join(parts)


def random_token_text(r, tok, ids, lo=6, hi=40):
    """Text made of vocabulary pieces (`ids`, no special tokens) drawn uniformly at random.
    Repeating it cannot be done from letter statistics (which made-up names still allow), only
    by copying, which is what forms the attention heads that copy cities and queries."""
    for _ in range(20):
        text = tok.decode([r.choice(ids) for _ in range(r.randint(lo, hi))])
        text = " ".join(text.split())
        if text and "<" not in text and ">" not in text and "\ufffd" not in text and text.isprintable():
            return text
    return made_up_phrase(r)


def tc(name, args, i=0):
    return {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)}}


class Gen:
    def __init__(self, split, seed, passages, bm25):
        self.split = split
        self.r = random.Random(seed)
        self.passages = passages
        self.bm25 = bm25
        ids = sorted(p["id"] for p in passages)
        hold = set(random.Random(1234).sample(ids, len(ids) * 15 // 100))
        self.held_ids = hold
        if split == "train":
            self.search_pool = [p for p in passages if p["id"] not in hold]
        else:
            self.search_pool = passages
        self.cities = CITIES_TRAIN if split == "train" else CITIES_TEST

    def ph(self, table):
        return self.r.choice(table[self.split])

    # Copying drills. The first three stages drew training cities from one fixed list, and the
    # model learned to write those names rather than to copy the one in the prompt (held-out
    # cities came back as look-alike training cities). Made-up names that never repeat leave
    # copying as the only way to lower the loss. Training split only: the test split's random
    # stream, and so its conversations, stay exactly as they were.
    def city(self):
        r = self.r
        if self.split == "train" and COPY and r.random() < 0.7:
            return made_up_name(r)
        return r.choice(self.cities)

    def train_variant(self, q):
        """Training phrasings get optional openers and closers so that the intent, not one
        memorised sentence, decides the tool. The held-out templates are never produced whole."""
        r = self.r
        if self.split != "train" or not COPY:
            return q
        if r.random() < 0.3:
            q = r.choice(OPENERS) + q[0].lower() + q[1:]
        if r.random() < 0.2:
            q = q + r.choice(CLOSERS)
        return q

    def tools_for(self, needed):
        r = self.r
        others = [t for t in T.CORE_TOOLS + T.DISTRACTORS if t not in needed]
        k = r.choice([0, 1, 1, 2, 2, 3, 4])
        names = list(needed) + r.sample(others, k)
        r.shuffle(names)
        return [T.TOOL_SPECS[n] for n in names]

    def system(self, msgs):
        if self.r.random() < 0.5:
            return [{"role": "system", "content": self.r.choice(SYSTEMS)}] + msgs
        return msgs

    def num(self, lo, hi):
        # train and test draw from the same range; the test RNG stream is separate
        return self.r.randint(lo, hi)

    def conv(self, task, needed, msgs, meta, thinking):
        tools = self.tools_for(needed) if needed is not None else None
        return {"task": task, "tools": tools, "messages": self.system(msgs), "enable_thinking": thinking, "meta": meta}

    # each task returns (user_msgs..., assistant steps) as a conversation
    def calc1(self, th):
        r = self.r
        op = r.choice("+-*/")
        a, b = self.num(2, 999), self.num(2, 99)
        if op == "/":
            b = self.num(2, 30)
            a = b * self.num(2, 60) if r.random() < 0.7 else a
        q = self.train_variant(r.choice(CALC1[self.split][op]).format(a=a, b=b))
        expr = f"{a} {op} {b}"
        res = T.calculator(expr)
        obs = res if r.random() < 0.5 else json.dumps({"result": json.loads(res) if res.lstrip('-').replace('.', '', 1).isdigit() else res})
        msgs = [{"role": "user", "content": q},
                {"role": "assistant", "content": "", "reasoning_content": f"I need to compute {expr}, so I will use the calculator." if th else "",
                 "tool_calls": [tc("calculator", {"expression": expr})]},
                {"role": "tool", "tool_call_id": "call_0", "content": obs},
                {"role": "assistant", "content": f"{expr} = {res}", "reasoning_content": f"The calculator returned {res}." if th else ""}]
        return self.conv("calc1", ["calculator"], msgs, {"calls": [["calculator", {"expression": expr}]], "answer": res}, th)

    def calc2(self, th):
        r = self.r
        op1, op2 = r.choice("+-*"), r.choice("+-*/")
        a, b = self.num(2, 99), self.num(2, 99)
        m = T._eval(__import__("ast").parse(f"{a} {op1} {b}", mode="eval"))
        c = self.num(2, 20)
        if op2 == "/":
            if m == 0 or m % c != 0:
                op2 = "+"
        p1 = STEP1[op1].format(a=a, b=b)
        p2 = OPW[op2][1].format(b=c)
        q = r.choice(CALC2[self.split]).format(p1=p1, p2=p2)
        q = self.train_variant(q[0].upper() + q[1:])
        e1 = f"{a} {op1} {b}"
        r1 = T.calculator(e1)
        e2 = f"{r1} {op2} {c}" if not r1.startswith("-") else f"({r1}) {op2} {c}"
        r2 = T.calculator(e2)
        msgs = [{"role": "user", "content": q},
                {"role": "assistant", "content": "", "reasoning_content": f"First step: {e1}." if th else "",
                 "tool_calls": [tc("calculator", {"expression": e1})]},
                {"role": "tool", "tool_call_id": "call_0", "content": r1},
                {"role": "assistant", "content": "", "reasoning_content": f"{e1} = {r1}. Next step: {e2}." if th else "",
                 "tool_calls": [tc("calculator", {"expression": e2}, 1)]},
                {"role": "tool", "tool_call_id": "call_1", "content": r2},
                {"role": "assistant", "content": f"The answer is {r2}.", "reasoning_content": f"{e2} = {r2}." if th else ""}]
        return self.conv("calc2", ["calculator"], msgs,
                         {"calls": [["calculator", {"expression": e1}], ["calculator", {"expression": e2}]], "answer": r2}, th)

    def weather_obs(self, city, t, unit):
        u = "celsius" if unit == "C" else "fahrenheit"
        if self.r.random() < 0.7:
            return json.dumps({"location": city, "temperature": t, "unit": u})
        return json.dumps({"temperature": t, "unit": u})

    def tempsq(self, th):
        r = self.r
        city = self.city()
        t = r.randint(-10, 40)
        q = self.train_variant(r.choice(TEMPSQ[self.split]).format(city=city))
        expr = f"{t} * {t}" if t >= 0 else f"({t}) * ({t})"
        sq = T.calculator(expr)
        msgs = [{"role": "user", "content": q},
                {"role": "assistant", "content": "", "reasoning_content": f"First I get the temperature in {city}." if th else "",
                 "tool_calls": [tc("get_current_temperature", {"location": city})]},
                {"role": "tool", "tool_call_id": "call_0", "content": self.weather_obs(city, t, "C")},
                {"role": "assistant", "content": "", "reasoning_content": f"It is {t} °C. Now I square it: {expr}." if th else "",
                 "tool_calls": [tc("calculator", {"expression": expr}, 1)]},
                {"role": "tool", "tool_call_id": "call_1", "content": sq},
                {"role": "assistant", "content": f"Current temperature: {t} °C\nSquare of current temperature: {sq}",
                 "reasoning_content": f"{t} squared is {sq}." if th else ""}]
        return self.conv("tempsq", ["get_current_temperature", "calculator"], msgs,
                         {"calls": [["get_current_temperature", {"location": city}], ["calculator", {"expression": expr}]],
                          "answer": f"Current temperature: {t} °C\nSquare of current temperature: {sq}", "temp": t, "city": city}, th)

    def weather(self, th):
        r = self.r
        city = self.city()
        fahr = r.random() < 0.3
        if fahr:
            q = self.train_variant(r.choice(WEATHER_F[self.split]).format(city=city))
            args = {"location": city, "unit": "fahrenheit"}
            t = r.randint(14, 104)
            unit = "F"
        else:
            q = self.train_variant(r.choice(WEATHER[self.split]).format(city=city))
            args = {"location": city}
            t = r.randint(-10, 40)
            unit = "C"
        ans = f"The current temperature in {city} is {t} °{unit}."
        msgs = [{"role": "user", "content": q},
                {"role": "assistant", "content": "", "reasoning_content": f"I will look up the temperature in {city}." if th else "",
                 "tool_calls": [tc("get_current_temperature", args)]},
                {"role": "tool", "tool_call_id": "call_0", "content": self.weather_obs(city, t, unit)},
                {"role": "assistant", "content": ans, "reasoning_content": f"The tool says {t} °{unit}." if th else ""}]
        return self.conv("weather", ["get_current_temperature"], msgs,
                         {"calls": [["get_current_temperature", args]], "answer": ans, "temp": t, "unit": unit, "city": city}, th)

    def convert(self, th):
        r = self.r
        fu, tu = r.choice(UNIT_PAIRS)
        v = r.randint(1, 500) if r.random() < 0.8 else round(r.uniform(0.5, 100), 1)
        q = self.train_variant(r.choice(CONVERT[self.split]).format(v=v, fu=r.choice(UNIT_NAMES[fu]), tu=r.choice(UNIT_NAMES[tu])))
        obs = T.convert_units(v, fu, tu)
        out = json.loads(obs)["value"]
        args = {"value": v, "from_unit": fu, "to_unit": tu}
        ans = f"{v} {fu} = {out} {tu}"
        msgs = [{"role": "user", "content": q},
                {"role": "assistant", "content": "", "reasoning_content": f"Convert {v} from {fu} to {tu}." if th else "",
                 "tool_calls": [tc("convert_units", args)]},
                {"role": "tool", "tool_call_id": "call_0", "content": obs},
                {"role": "assistant", "content": ans, "reasoning_content": f"The result is {out} {tu}." if th else ""}]
        return self.conv("convert", ["convert_units"], msgs, {"calls": [["convert_units", args]], "answer": ans}, th)

    def search(self, th):
        r = self.r
        p = r.choice(self.search_pool)
        kind = p.get("kind", "fact")
        t = p["title"]
        q = self.train_variant(r.choice(SEARCH_Q[kind][self.split]).format(t=t))
        obs = T.search_response(self.bm25, t)
        top = json.loads(obs)
        ans = T.first_sentence(top[0]["text"]) if top else "I could not find anything about that."
        msgs = [{"role": "user", "content": q},
                {"role": "assistant", "content": "", "reasoning_content": f"I will search the corpus for {t}." if th else "",
                 "tool_calls": [tc("search", {"query": t})]},
                {"role": "tool", "tool_call_id": "call_0", "content": obs},
                {"role": "assistant", "content": ans, "reasoning_content": "The first result answers the question." if th else ""}]
        gold = T.first_sentence(p["text"])
        return self.conv("search", ["search"], msgs,
                         {"calls": [["search", {"query": t}]], "answer": gold, "passage": p["id"],
                          "key": p.get("answer"), "held_out_passage": p["id"] in self.held_ids}, th)

    def countdown(self, th):
        r = self.r
        for _ in range(100):
            n = r.choice([3, 3, 4])
            nums = [r.randint(1, 50) for _ in range(n)]
            order = nums[:]
            r.shuffle(order)
            val, expr, steps = order[0], str(order[0]), []
            ok = True
            for x in order[1:]:
                op = r.choice("+-*/")
                if op == "/" and (x == 0 or val % x != 0):
                    op = "+"
                if op == "-" and val - x < 0:
                    op = "+"
                if op == "*" and val * x > 1000:
                    op = "+"
                new = {"+": val + x, "-": val - x, "*": val * x, "/": val // x}[op]
                steps.append(f"{val} {op} {x} = {new}")
                expr = f"({expr}) {op} {x}" if ("+" in expr or "-" in expr) and op in "*/" else f"{expr} {op} {x}"
                val = new
            if 1 <= val <= 999 and ok:
                break
        q = COUNTDOWN_PROMPT.format(nums=str(nums), target=val)
        msgs = [{"role": "user", "content": q},
                {"role": "assistant", "content": f"<answer>{expr}</answer>", "reasoning_content": "\n".join(steps) if th else ""}]
        return self.conv("countdown", None, msgs, {"nums": nums, "target": val, "answer": expr}, th)

    def supervisor(self, th):
        r = self.r
        cats = list(WORKERS)
        two = r.random() < 0.3
        if two:
            first, second = r.sample(["research", "math", "weather"], 1)[0], r.choice(["write", "code"])
            plan = [first, second]
        else:
            plan = [r.choice(cats)]
        others = [c for c in cats if c not in plan]
        listed = plan + r.sample(others, r.randint(0, len(others)))
        r.shuffle(listed)
        names = {c: r.choice(WORKERS[c][0]) for c in listed}
        sys = SUP_SYS.format(workers="\n".join(f"- {names[c]}: {WORKERS[c][1]}" for c in listed))
        city = self.city()
        a, b = self.num(2, 99), self.num(2, 99)
        pool = SUP_TASKS if self.split == "train" else SUP_TASKS_TEST
        texts = [r.choice(pool[c]).format(city=city, a=a, b=b) for c in plan]
        task = texts[0] if len(plan) == 1 else f"{texts[0].rstrip('.?')}, then {texts[1][0].lower() + texts[1][1:]}"
        done = r.randint(0, len(plan))  # how many workers already answered
        msgs = [{"role": "system", "content": sys}, {"role": "user", "content": task}]
        for c in plan[:done]:
            msgs.append({"role": "assistant", "content": SUP_DONE[c].format(r=a * b, t=r.randint(0, 30), city=city), "train": False})
        nxt = names[plan[done]] if done < len(plan) else "FINISH"
        why = f"The next step needs the {names[plan[done]]}." if done < len(plan) else "All steps are done."
        msgs.append({"role": "assistant", "content": json.dumps({"next": nxt}), "reasoning_content": why if th else ""})
        c = {"task": "supervisor", "tools": None, "messages": msgs, "enable_thinking": th, "meta": {"answer": json.dumps({"next": nxt})}}
        return c

    def drill(self, th):
        """A short copy-heavy conversation for the drill stage: repeating made-up text, or one
        weather, calculator or conversion call whose arguments must be copied from the prompt."""
        r = self.r
        k = r.random()
        if k < 0.3:  # a long repeat with no tool list: copying is nearly every target token
            p = " ".join(made_up_phrase(r) for _ in range(r.randint(1, 3)))
            q = r.choice(REPEAT["train"]).format(p=p)
            msgs = [{"role": "user", "content": q}, {"role": "assistant", "content": p,
                                                     "reasoning_content": "I just repeat the text." if th else ""}]
            return {"task": "direct", "tools": None, "messages": msgs, "enable_thinking": th, "meta": {"answer": p, "calls": [], "kind": "repeat"}}
        if k < 0.5:
            return self.direct(th, kind="repeat")
        if k < 0.75:
            return self.weather(th)
        if k < 0.9:
            return self.calc1(th)
        return self.convert(th)

    def direct(self, th, kind=None):
        r = self.r
        kinds = ["greet", "greet", "list", "repeat", "compare", "missing"]
        if self.split == "train" and COPY:
            kinds += ["repeat", "repeat", "compare"]  # copying drills
        kind = kind or r.choice(kinds)
        needed = []
        if kind == "greet":
            q, ans = r.choice(GREET[self.split])
            why = "This is small talk; no tool is needed."
        elif kind == "list":
            q = r.choice(LISTTOOLS[self.split])
            why = "The tools are listed in the system prompt."
        elif kind == "repeat":
            if self.split == "train" and COPY and r.random() < 0.8:
                p = made_up_phrase(r)
            else:
                p = r.choice(PHRASES_W if self.split == "train" else PHRASES_T)
            q = r.choice(REPEAT[self.split]).format(p=p)
            ans = p
            why = "I just repeat the text."
        elif kind == "compare":
            a, b = self.num(1, 999), self.num(1, 999)
            while b == a:
                b = self.num(1, 999)
            q = r.choice(COMPARE[self.split]).format(a=a, b=b)
            ans = f"{max(a, b)} is larger."
            why = f"{max(a, b)} is more than {min(a, b)}."
        else:  # a task whose tool is missing from the list
            city = self.city()
            q = r.choice(TEMPSQ[self.split]).format(city=city) if r.random() < 0.5 else r.choice(WEATHER[self.split]).format(city=city)
            ans = "I don't have a tool for that."
            why = "No listed tool can get the temperature."
        tools = None
        if r.random() < 0.7 or kind in ("list", "missing"):
            pool = [t for t in T.CORE_TOOLS + T.DISTRACTORS if not (kind == "missing" and t == "get_current_temperature")]
            names = r.sample(pool, r.randint(1, 4))
            tools = [T.TOOL_SPECS[n] for n in names]
            if kind == "list":
                ans = "I can use these tools: " + ", ".join(names) + "."
        elif kind == "list":
            ans = "I have no tools right now."
        msgs = [{"role": "user", "content": q}, {"role": "assistant", "content": ans, "reasoning_content": why if th else ""}]
        return {"task": "direct", "tools": tools, "messages": self.system(msgs), "enable_thinking": th,
                "meta": {"answer": ans, "calls": [], "kind": kind}}


MIX = [("calc1", 14), ("calc2", 10), ("tempsq", 13), ("weather", 6), ("convert", 11), ("search", 16), ("countdown", 10),
       ("supervisor", 10), ("direct", 10)]
# same tasks in the same order (the test split is generated task by task from it)
MIX_COPY = [("calc1", 14), ("calc2", 10), ("tempsq", 13), ("weather", 9), ("convert", 12), ("search", 16), ("countdown", 8),
            ("supervisor", 10), ("direct", 13)]


def user_key(conv):
    """What the user says in a conversation: two conversations with the same key share a prompt."""
    return json.dumps([m["content"] for m in conv["messages"] if m["role"] == "user"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", type=int, default=40000)
    ap.add_argument("--test", type=int, default=100, help="conversations per task in the test split")
    ap.add_argument("--out", default=os.path.join(HERE, "data"))
    ap.add_argument("--copy-data", action="store_true", help="the training split with the copying changes (see COPY)")
    ap.add_argument("--drills", type=int, default=0, help="also write this many copy drills to drill.jsonl")
    ap.add_argument("--variety", type=int, default=0,
                    help="also write this many conversations with the extra phrasings (see VARIETY_MIX) to variety.jsonl")
    ap.add_argument("--token-drills", type=int, default=0,
                    help="also write this many repeat drills of random vocabulary pieces to token_drill.jsonl")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    passages = build_corpus()
    bm25 = T.BM25(passages)
    tr = Gen("train", 1, passages, bm25)
    if a.copy_data:
        enable_copy_data()
    names = [n for n, w in (MIX_COPY if a.copy_data else MIX) for _ in range(w)]
    seen = set()
    with open(os.path.join(a.out, "train.jsonl"), "w") as f:
        for i in range(a.train):
            task = tr.r.choice(names)
            c = getattr(tr, task)(tr.r.random() < 0.5)
            seen.add(user_key(c))
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    if a.drills or a.token_drills:
        enable_copy_data()
    if a.drills:
        dr = Gen("train", 3, passages, bm25)  # its own stream: the training and test splits do not change
        with open(os.path.join(a.out, "drill.jsonl"), "w") as f:
            for i in range(a.drills):
                f.write(json.dumps(dr.drill(dr.r.random() < 0.5), ensure_ascii=False) + "\n")
    if a.token_drills:
        from tokenizer import Tokenizer
        tok = Tokenizer.load(os.path.join(HERE, "..", "..", "micro-agent", "tokenizer.json"))
        r = random.Random(4)
        pieces = list(range(13, len(tok.vocab)))  # past the 13 added tokens
        with open(os.path.join(a.out, "token_drill.jsonl"), "w") as f:
            for i in range(a.token_drills):
                p = random_token_text(r, tok, pieces)
                th = r.random() < 0.5
                msgs = [{"role": "user", "content": r.choice(REPEAT["train"]).format(p=p)},
                        {"role": "assistant", "content": p, "reasoning_content": "I just repeat the text." if th else ""}]
                f.write(json.dumps({"task": "direct", "tools": None, "messages": msgs, "enable_thinking": th,
                                    "meta": {"answer": p, "calls": [], "kind": "repeat"}}, ensure_ascii=False) + "\n")
    te = Gen("test", 2, passages, bm25)
    n_test = 0
    with open(os.path.join(a.out, "test.jsonl"), "w") as f:
        for task, _ in MIX:
            k = tries = 0
            while k < a.test:
                c = getattr(te, task)(k % 2 == 0)
                key = user_key(c)
                tries += 1
                if key in seen and tries < 50 * a.test:  # never a prompt the training split contains
                    continue
                f.write(json.dumps(c, ensure_ascii=False) + "\n")
                k += 1
                n_test += 1
    if a.variety:
        # after the test split, so neither split changes; never a prompt the test split contains
        enable_variety()
        test_keys = set()
        with open(os.path.join(a.out, "test.jsonl")) as f:
            for line in f:
                test_keys.add(user_key(json.loads(line)))
        va = Gen("train", 5, passages, bm25)
        vnames = [n for n, w in VARIETY_MIX for _ in range(w)]
        k = 0
        with open(os.path.join(a.out, "variety.jsonl"), "w") as f:
            while k < a.variety:
                c = getattr(va, va.r.choice(vnames))(va.r.random() < 0.5)
                if user_key(c) in test_keys:
                    continue
                f.write(json.dumps(c, ensure_ascii=False) + "\n")
                k += 1
    print(f"train {a.train} test {n_test}")


if __name__ == "__main__":
    main()
