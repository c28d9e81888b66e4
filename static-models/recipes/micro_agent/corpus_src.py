"""Source of the bundled knowledge corpus (static-models/corpus/passages.jsonl).

Every passage here was written for this project. Concept passages are hand-written;
everyday-fact passages are generated from the small fact tables below with our own
sentence templates. The first sentence of every passage states its main fact, which is
what the micro model is trained to quote after a `search` call.

Run: /usr/bin/python3 corpus_src.py   (writes ../../corpus/passages.jsonl)
"""
import json
import os

CONCEPTS = [
    ("ReAct", "ReAct is an agent pattern that interleaves reasoning steps with tool actions and their observations. The model thinks, calls a tool, reads the result and repeats until it can answer."),
    ("tool calling", "Tool calling lets a language model request a function by emitting a structured call with a name and JSON arguments. The runtime executes the function and returns the result as an observation."),
    ("agent", "An agent is a program in which a language model decides which actions to take in a loop. It observes results and continues until the task is done."),
    ("checkpoint", "A checkpoint is a saved snapshot of a graph run's state after a step. Checkpoints let a run resume after a crash, a reload or a human review."),
    ("KV cache", "A KV cache stores the attention keys and values of tokens already processed. Decoding reuses them so each new token costs one forward step instead of a full recomputation."),
    ("attention", "Attention lets each token build its representation as a weighted mix of other tokens' values. The weights come from a softmax over query and key dot products."),
    ("self-attention", "Self-attention is attention in which the queries, keys and values all come from the same sequence. It lets every position look at every earlier position in a decoder."),
    ("RoPE", "RoPE, rotary position embedding, encodes token positions by rotating query and key vectors by position-dependent angles. Relative distance then appears directly in the dot product."),
    ("MoE", "A mixture of experts, MoE, routes each token to a few expert feed-forward networks chosen by a small router. It grows the parameter count without growing the compute per token."),
    ("quantization", "Quantization stores model weights with fewer bits, for example 8 or 4 bits instead of 32. It shrinks memory and speeds up inference at a small cost in accuracy."),
    ("MCTS", "MCTS, Monte Carlo tree search, grows a search tree by repeating selection, expansion, simulation and backpropagation. It balances exploring new branches with exploiting good ones."),
    ("UCT", "UCT is the selection rule of MCTS that adds an exploration bonus to a node's average value. The bonus shrinks as the node is visited more often."),
    ("GRPO", "GRPO, group relative policy optimization, samples a group of answers per prompt and uses each answer's reward minus the group mean as its advantage. It needs no value network."),
    ("GSPO", "GSPO is a variant of GRPO that computes the importance ratio for a whole sequence instead of per token. The sequence ratio is normalized by length."),
    ("PPO", "PPO, proximal policy optimization, updates a policy with a clipped importance ratio so that each step stays close to the previous policy."),
    ("LoRA", "LoRA adapts a model by training two small low-rank matrices added to a frozen weight matrix. Only the small matrices are stored and updated."),
    ("tokenizer", "A tokenizer turns text into a sequence of integer token ids and back. Subword tokenizers split rare words into pieces and keep common words whole."),
    ("BPE", "BPE, byte pair encoding, builds a vocabulary by repeatedly merging the most frequent adjacent pair of symbols. Byte-level BPE starts from the 256 byte values."),
    ("embedding", "An embedding is a vector that represents a token, a sentence or a document. Similar meanings end up close together in the vector space."),
    ("softmax", "Softmax turns a vector of scores into probabilities by exponentiating each score and dividing by the sum. Larger scores get larger shares."),
    ("temperature", "Sampling temperature divides the logits before softmax. A low temperature makes the output more deterministic and a high temperature makes it more varied."),
    ("top-p sampling", "Top-p sampling keeps the smallest set of tokens whose probabilities add up to p and samples only from that set."),
    ("top-k sampling", "Top-k sampling keeps only the k most likely tokens and samples among them."),
    ("greedy decoding", "Greedy decoding always picks the single most likely next token. It is deterministic but can repeat itself."),
    ("beam search", "Beam search keeps the best few partial sequences at each step and extends all of them. It finds likely sequences that greedy decoding may miss."),
    ("logits", "Logits are the raw scores a model produces for every token in the vocabulary before softmax turns them into probabilities."),
    ("context window", "The context window is the maximum number of tokens a model can attend to at once. Text beyond it must be dropped or summarized."),
    ("prefill", "Prefill is the first phase of generation, in which the whole prompt is processed in one pass to fill the KV cache."),
    ("decode phase", "The decode phase generates one token at a time, each step reading the KV cache built so far."),
    ("prefix caching", "Prefix caching keeps the KV cache of a shared prompt prefix so that several continuations reuse it instead of recomputing it."),
    ("grouped-query attention", "Grouped-query attention lets several query heads share one key and value head. It shrinks the KV cache while keeping many query heads."),
    ("RMSNorm", "RMSNorm normalizes a vector by its root mean square and scales it by a learned weight. It is cheaper than layer normalization because it skips the mean."),
    ("SwiGLU", "SwiGLU is a feed-forward block that multiplies a SiLU-gated projection with a second projection before projecting back down."),
    ("transformer", "A transformer is a neural network built from attention layers and feed-forward layers with residual connections. Most modern language models are transformers."),
    ("decoder-only model", "A decoder-only model predicts the next token from all previous tokens using causal attention. GPT and Llama models are decoder-only."),
    ("encoder model", "An encoder model reads a whole text with bidirectional attention and produces a vector per token. BERT and ModernBERT are encoders."),
    ("ModernBERT", "ModernBERT is an encoder architecture with rotary positions, alternating local and global attention and a long context. It is used for embeddings and reranking."),
    ("reranker", "A reranker scores how well each candidate passage answers a query and reorders the candidates by that score."),
    ("BM25", "BM25 is a keyword ranking function that scores documents by term frequency, inverse document frequency and document length."),
    ("RAG", "RAG, retrieval-augmented generation, retrieves relevant passages and adds them to the prompt so the model answers from them."),
    ("chain of thought", "Chain of thought is a prompting style in which the model writes intermediate reasoning steps before its final answer."),
    ("thinking mode", "Thinking mode lets a model write private reasoning inside think tags before answering. It can be switched off to answer directly."),
    ("budget forcing", "Budget forcing stops a model's reasoning after a fixed number of tokens, closes the think block and lets it answer."),
    ("supervisor", "A supervisor is an agent that reads the conversation and decides which worker agent should act next, or that the task is finished."),
    ("swarm", "A swarm is a multi-agent setup in which agents hand control to each other directly instead of through a supervisor."),
    ("human in the loop", "Human in the loop means a run pauses at an interrupt so a person can review, edit or approve before it continues."),
    ("interrupt", "An interrupt pauses a graph run at a node and saves a checkpoint. The run continues when it is resumed with a value."),
    ("state graph", "A state graph is a set of nodes that read and update a shared state, connected by edges that decide which node runs next."),
    ("reducer", "A reducer decides how a node's update is merged into a state channel, for example by appending messages instead of replacing them."),
    ("superstep", "A superstep is one round of a graph run in which all scheduled nodes execute and their writes are applied together."),
    ("Tree of Thoughts", "Tree of Thoughts explores several partial reasoning paths as a tree and keeps the most promising ones at each level."),
    ("AB-MCTS", "AB-MCTS, adaptive branching MCTS, decides at each node whether to generate a new answer or refine an existing one, using Thompson sampling."),
    ("Thompson sampling", "Thompson sampling picks an action by drawing a value from each action's posterior distribution and taking the largest draw."),
    ("repeated sampling", "Repeated sampling generates many independent answers and keeps the best one according to a verifier or judge."),
    ("self-refinement", "Self-refinement asks a model to critique and improve its own previous answer over several rounds."),
    ("RULER", "RULER scores a group of trajectories relative to each other with a language model judge, so no hand-written reward is needed."),
    ("reward model", "A reward model assigns a score to a model output, used to train a policy with reinforcement learning."),
    ("KL divergence", "KL divergence measures how much one probability distribution differs from another. RL fine-tuning penalizes it to stay near a reference model."),
    ("advantage", "An advantage says how much better an action was than expected. In GRPO it is the reward minus the group mean, divided by the group spread."),
    ("Countdown task", "The Countdown task asks for an arithmetic expression that uses given numbers at most once each to reach a target value."),
    ("Game of 24", "The Game of 24 asks for an expression that uses four given numbers exactly once each with plus, minus, times and divide to make 24."),
    ("ONNX", "ONNX is an open file format for neural network graphs. ONNX Runtime runs these graphs on CPUs, GPUs and in the browser."),
    ("WebGPU", "WebGPU is a browser API that gives web pages access to the GPU for graphics and general computation."),
    ("WebAssembly", "WebAssembly is a compact binary instruction format that browsers run at near-native speed."),
    ("Web Worker", "A Web Worker runs JavaScript in a background thread so heavy work does not freeze the page."),
    ("IndexedDB", "IndexedDB is a browser database that stores structured data and files on the user's device."),
    ("fine-tuning", "Fine-tuning continues training a pretrained model on a smaller dataset to adapt it to a task."),
    ("pretraining", "Pretraining teaches a model general language skills by predicting the next token on a large text corpus."),
    ("overfitting", "Overfitting happens when a model memorizes its training data and performs worse on new examples."),
    ("learning rate", "The learning rate sets the size of each parameter update during training. Too high diverges and too low learns slowly."),
    ("gradient descent", "Gradient descent updates parameters in the direction that lowers the loss, using the gradient of the loss."),
    ("Adam optimizer", "Adam is an optimizer that keeps running averages of gradients and their squares to adapt the step size of every parameter."),
    ("cross-entropy loss", "Cross-entropy loss measures how much probability a model gives to the correct next token. Lower is better."),
    ("perplexity", "Perplexity is the exponential of the average cross-entropy loss. A lower perplexity means the model predicts the text better."),
    ("hallucination", "A hallucination is a confident answer that is not supported by facts or by the given context."),
    ("structured output", "Structured output constrains a model to produce text that matches a schema, such as valid JSON."),
    ("constrained decoding", "Constrained decoding masks tokens that would break a grammar or schema, so every output is valid."),
    ("JSON schema", "A JSON schema describes the allowed shape of a JSON value, such as required fields and their types."),
    ("system prompt", "A system prompt is an instruction placed before the conversation that sets the assistant's role and rules."),
    ("chat template", "A chat template turns a list of messages into the exact text format a chat model was trained on."),
    ("few-shot prompting", "Few-shot prompting puts a few worked examples in the prompt so the model imitates them."),
    ("distillation", "Distillation trains a small student model to imitate the outputs of a larger teacher model."),
    ("speculative decoding", "Speculative decoding lets a small draft model propose several tokens that a large model verifies in one pass."),
    ("vector database", "A vector database stores embeddings and finds the nearest ones to a query vector quickly."),
    ("cosine similarity", "Cosine similarity measures the angle between two vectors. It is one for identical directions and zero for orthogonal ones."),
    ("memory", "Agent memory keeps facts from earlier conversations so an agent can use them later."),
    ("planning", "Planning means an agent writes down the steps of a task before carrying them out."),
    ("reflection", "Reflection means an agent reviews its past actions and mistakes to do better on the next attempt."),
    ("observation", "An observation is the result of a tool call that is fed back to the model in an agent loop."),
    ("function schema", "A function schema lists a tool's name, description and parameters so a model knows how to call it."),
]

CAPITALS = [
    ("France", "Paris", "Europe"), ("Germany", "Berlin", "Europe"), ("Italy", "Rome", "Europe"),
    ("Spain", "Madrid", "Europe"), ("Portugal", "Lisbon", "Europe"), ("Norway", "Oslo", "Europe"),
    ("Sweden", "Stockholm", "Europe"), ("Finland", "Helsinki", "Europe"), ("Poland", "Warsaw", "Europe"),
    ("Greece", "Athens", "Europe"), ("Austria", "Vienna", "Europe"), ("Ireland", "Dublin", "Europe"),
    ("Hungary", "Budapest", "Europe"), ("Denmark", "Copenhagen", "Europe"), ("Belgium", "Brussels", "Europe"),
    ("Netherlands", "Amsterdam", "Europe"), ("Czechia", "Prague", "Europe"), ("Romania", "Bucharest", "Europe"),
    ("Japan", "Tokyo", "Asia"), ("China", "Beijing", "Asia"), ("India", "New Delhi", "Asia"),
    ("Thailand", "Bangkok", "Asia"), ("Vietnam", "Hanoi", "Asia"), ("Indonesia", "Jakarta", "Asia"),
    ("South Korea", "Seoul", "Asia"), ("Philippines", "Manila", "Asia"), ("Nepal", "Kathmandu", "Asia"),
    ("Egypt", "Cairo", "Africa"), ("Kenya", "Nairobi", "Africa"), ("Nigeria", "Abuja", "Africa"),
    ("Ghana", "Accra", "Africa"), ("Morocco", "Rabat", "Africa"), ("Ethiopia", "Addis Ababa", "Africa"),
    ("Senegal", "Dakar", "Africa"), ("Canada", "Ottawa", "North America"), ("Mexico", "Mexico City", "North America"),
    ("Cuba", "Havana", "North America"), ("Peru", "Lima", "South America"), ("Chile", "Santiago", "South America"),
    ("Argentina", "Buenos Aires", "South America"), ("Colombia", "Bogota", "South America"),
    ("Brazil", "Brasilia", "South America"), ("Uruguay", "Montevideo", "South America"),
    ("Australia", "Canberra", "Oceania"), ("New Zealand", "Wellington", "Oceania"),
]

ELEMENTS = [
    ("Hydrogen", "H", 1), ("Helium", "He", 2), ("Lithium", "Li", 3), ("Carbon", "C", 6), ("Nitrogen", "N", 7),
    ("Oxygen", "O", 8), ("Neon", "Ne", 10), ("Sodium", "Na", 11), ("Magnesium", "Mg", 12),
    ("Aluminium", "Al", 13), ("Silicon", "Si", 14), ("Sulfur", "S", 16), ("Chlorine", "Cl", 17),
    ("Potassium", "K", 19), ("Calcium", "Ca", 20), ("Iron", "Fe", 26), ("Copper", "Cu", 29),
    ("Zinc", "Zn", 30), ("Silver", "Ag", 47), ("Tin", "Sn", 50), ("Gold", "Au", 79), ("Mercury", "Hg", 80),
    ("Lead", "Pb", 82), ("Uranium", "U", 92),
]

PLANETS = [
    ("Mercury planet", "Mercury is the smallest planet and the closest to the Sun."),
    ("Venus", "Venus is the hottest planet because its thick carbon dioxide air traps heat."),
    ("Earth", "Earth is the third planet from the Sun and the only one known to host life."),
    ("Mars", "Mars is the fourth planet from the Sun and looks red because of iron oxide dust."),
    ("Jupiter", "Jupiter is the largest planet in the solar system, a gas giant with a great red storm."),
    ("Saturn", "Saturn is the sixth planet from the Sun and is famous for its bright rings of ice."),
    ("Uranus", "Uranus is an ice giant that rotates on its side, tilted almost flat to its orbit."),
    ("Neptune", "Neptune is the farthest planet from the Sun and has the fastest winds in the solar system."),
    ("Moon", "The Moon is Earth's only natural satellite and takes about 27 days to orbit Earth."),
    ("Sun", "The Sun is the star at the center of the solar system and is made mostly of hydrogen and helium."),
]

EVERYDAY = [
    ("water boiling point", "Water boils at 100 degrees Celsius at sea level. At higher altitudes it boils at a lower temperature."),
    ("water freezing point", "Water freezes at 0 degrees Celsius, which is 32 degrees Fahrenheit."),
    ("photosynthesis", "Photosynthesis is how plants turn light, water and carbon dioxide into sugar and oxygen."),
    ("human heart", "The human heart has four chambers and pumps blood through the body about once a second."),
    ("human skeleton", "An adult human skeleton has 206 bones. Babies are born with more bones that later fuse."),
    ("blue sky", "The sky looks blue because air scatters short blue wavelengths of sunlight more than red ones."),
    ("rainbow", "A rainbow forms when sunlight is bent and reflected inside raindrops, splitting it into colors."),
    ("leap year", "A leap year has 366 days, adding February 29. It happens every four years with some century exceptions."),
    ("week", "A week has seven days, from Monday to Sunday."),
    ("year", "A year has 365 days, or 366 in a leap year, and twelve months."),
    ("hour", "An hour has 60 minutes and 3600 seconds."),
    ("speed of light", "Light travels about 300000 kilometers per second in a vacuum."),
    ("speed of sound", "Sound travels about 343 meters per second in air at room temperature."),
    ("tides", "Tides are the regular rise and fall of the sea caused mainly by the Moon's gravity."),
    ("seasons", "Seasons happen because Earth's axis is tilted, so each hemisphere gets more direct sunlight for part of the year."),
    ("honey", "Honey is made by bees from flower nectar and can keep for years without spoiling."),
    ("coffee", "Coffee is brewed from roasted coffee beans and contains caffeine, a mild stimulant."),
    ("tea", "Tea is made by steeping the dried leaves of the tea plant in hot water."),
    ("bread", "Bread is baked from flour, water and yeast; the yeast makes gas bubbles that let the dough rise."),
    ("rice", "Rice is a cereal grain grown in flooded fields and is a staple food for over half of the world."),
    ("olive oil", "Olive oil is pressed from olives and is a base of Mediterranean cooking."),
    ("chess", "Chess is a board game for two players on a board of 64 squares, won by checkmating the king."),
    ("soccer", "A soccer team has eleven players on the field, including one goalkeeper."),
    ("marathon", "A marathon is a running race of 42.195 kilometers."),
    ("piano", "A standard piano has 88 keys, 52 white and 36 black."),
    ("guitar", "A standard guitar has six strings tuned E, A, D, G, B and E."),
    ("Mount Everest", "Mount Everest is the highest mountain above sea level, about 8849 meters tall."),
    ("Pacific Ocean", "The Pacific Ocean is the largest and deepest ocean on Earth."),
    ("Amazon River", "The Amazon River in South America carries more water than any other river."),
    ("Nile", "The Nile is a very long river in Africa that flows north into the Mediterranean Sea."),
    ("Sahara", "The Sahara is the largest hot desert in the world and covers much of North Africa."),
    ("Antarctica", "Antarctica is the coldest continent and is almost entirely covered by ice."),
    ("elephant", "The African elephant is the largest land animal and can weigh over six tonnes."),
    ("blue whale", "The blue whale is the largest animal that has ever lived, longer than 25 meters."),
    ("cheetah", "The cheetah is the fastest land animal and can sprint at about 100 kilometers per hour."),
    ("octopus", "An octopus has eight arms and three hearts, and it can change color to hide."),
    ("penguin", "Penguins are birds that cannot fly but swim very well; most live in the Southern Hemisphere."),
    ("bees", "Honeybees live in colonies with one queen and tell each other where flowers are by dancing."),
    ("spider", "Spiders have eight legs and spin silk to build webs and wrap prey."),
    ("dolphin", "Dolphins are mammals that breathe air through a blowhole and find food by echolocation."),
    ("vitamin C", "Vitamin C is found in citrus fruits and peppers and helps the body heal wounds."),
    ("sleep", "Adults need about seven to nine hours of sleep a night to stay healthy."),
    ("bicycle", "A bicycle is a two-wheeled vehicle driven by pedals that turn a chain."),
    ("compass", "A compass needle is a small magnet that points toward Earth's magnetic north."),
    ("thermometer", "A thermometer measures temperature, often in degrees Celsius or Fahrenheit."),
    ("recycling", "Recycling turns used paper, glass, metal and plastic into new products and saves raw materials."),
    ("electricity", "Electricity is the flow of electric charge, usually electrons moving through a wire."),
    ("battery", "A battery stores chemical energy and releases it as electricity when a circuit is closed."),
    ("solar panel", "A solar panel turns sunlight directly into electricity using semiconductor cells."),
    ("wind turbine", "A wind turbine turns the motion of wind into electricity with large rotating blades."),
    ("internet", "The internet is a global network of computers that exchange data using shared protocols."),
    ("email", "Email sends written messages between accounts over the internet in seconds."),
    ("password", "A strong password is long, unique for each site and hard to guess."),
    ("kilometer", "A kilometer is 1000 meters, or about 0.62 miles."),
    ("mile", "A mile is about 1.609 kilometers."),
    ("kilogram", "A kilogram is 1000 grams, or about 2.2 pounds."),
    ("liter", "A liter is 1000 milliliters, about 0.26 US gallons."),
    ("Celsius", "To turn Celsius into Fahrenheit, multiply by 9/5 and add 32."),
    ("prime number", "A prime number has exactly two divisors, one and itself. The first primes are 2, 3, 5, 7 and 11."),
    ("pi", "Pi is the ratio of a circle's circumference to its diameter, about 3.14159."),
    ("triangle", "The angles of a triangle always add up to 180 degrees."),
    ("square", "A square has four equal sides and four right angles; its area is the side length squared."),
    ("percent", "A percent is a part per hundred, so 25 percent means 25 out of 100."),
    ("zero", "Zero is the number that leaves any number unchanged when added to it."),
]

CAP_TPL = [
    "The capital of {c} is {cap}. {c} is a country in {cont}.",
    "The capital of {c} is {cap}, its largest political center. {c} lies in {cont}.",
]
EL_TPL = "{n} has the chemical symbol {s} and atomic number {z}. It is one of the elements of the periodic table."


def build():
    out = []
    for i, (title, text) in enumerate(CONCEPTS):
        out.append({"id": f"c{i:03d}", "title": title, "text": text, "kind": "concept"})
    for i, (c, cap, cont) in enumerate(CAPITALS):
        out.append({"id": f"g{i:03d}", "title": c, "text": CAP_TPL[i % 2].format(c=c, cap=cap, cont=cont),
                    "kind": "capital", "answer": cap})
    for i, (n, s, z) in enumerate(ELEMENTS):
        out.append({"id": f"e{i:03d}", "title": n, "text": EL_TPL.format(n=n, s=s, z=z), "kind": "element",
                    "answer": s})
    for i, (t, text) in enumerate(PLANETS):
        out.append({"id": f"p{i:03d}", "title": t, "text": text, "kind": "fact"})
    for i, (t, text) in enumerate(EVERYDAY):
        out.append({"id": f"f{i:03d}", "title": t, "text": text, "kind": "fact"})
    return out


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "corpus", "passages.jsonl")
    rows = build()
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps({"id": r["id"], "title": r["title"], "text": r["text"]}, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} passages to {os.path.normpath(path)}")
