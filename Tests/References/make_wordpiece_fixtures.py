#!/usr/bin/env python3
"""Writes the golden fixture the WordPiece tokenizer tests compare against, with Hugging Face `tokenizers`.

The reference is minilm-l6's own `tokenizer.json` (BertNormalizer, BertPreTokenizer, WordPiece, the [CLS]/[SEP]
template) loaded by `tokenizers`, with its padding and truncation at 128 turned off. Real texts are named by
(dataset, line, length in code points) so the repository carries no dataset text: tweets (emoji, URLs, hashtags),
BBC articles, MR sentences, Python documentation, WNUT-16 sentences as pre-split words; constructed strings cover
accents, scripts, controls, emoji newer than the reference's Unicode tables, added tokens inside text and words over
100 characters. Each case records ids, offsets (code points) and word ids; pairs their type ids too.

Run from the repository root with the data installed
(`tlab data install minilm-l6 tweets-sentiment bbc-news mr-sentences python-docs wnut16-ner`):
    python3 -m venv /work/refvenv && /work/refvenv/bin/pip install tokenizers==0.23.3 numpy
    /work/refvenv/bin/python Tests/References/make_wordpiece_fixtures.py
Never regenerate this from the Swift output.
"""
import json
import os

import numpy as np
import tokenizers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, "data")


def lines(path):
    with open(path, encoding="utf-8") as f:
        out = f.read().split("\n")
    return out[:-1] if out and out[-1] == "" else out


def examples(dataset):
    return [json.loads(line)["text"] for line in lines(os.path.join(DATA, dataset, "examples.jsonl"))]


def documents(dataset):
    return [line for line in lines(os.path.join(DATA, dataset, "documents.txt")) if line]


CONSTRUCTED = [
    "Café Müller's naïve façade — déjà vu; ÉCOLE, Ångström, São Paulo, Zürich, Dvořák, Łódź, İstanbul, straße",
    "e\u0301 versus \u00e9, n\u0303, A\u030a, Ω≈ç√∫, ﬁ ligature, ＦＵＬＬ width, ¼ ½ ², ℃ №",
    "Ελληνικά κείμενα ΣΊΣΥΦΟΣ, русский текст Москва, עברית, العربية, हिन्दी, ไทย",
    "中文字符测试，日本語のテキスト、한국어 텍스트 and mixed 漢字kanji混ざり",
    "emoji 😀😂🤣🥰🧐🫠 👍🏽 👨‍👩‍👧 ❤️ ✨ 🇬🇧 #blessed @someone http://t.co/abc123?x=1&y=2",
    "controls:\x00nul\x01soh\x0bvt\x0cff\x85nel\u200bzwsp\u00adsoft\ufeffbom\u2028ls\u2029ps\u00a0nbsp\u3000ideo\ttab\r\nend",
    "private \ue000 use, replacement \ufffd char, unassigned \U000e0001 tag, surrogate-free",
    "added tokens [MASK] inside [CLS]text[SEP] and [PAD][UNK] and [mask] lower and [ MASK ]",
    "a" * 101 + " " + "b" * 100 + " " + "supercalifragilisticexpialidocious" * 3,
    "Numbers 3.14159 1,000,000 -42 +7 1e-5 0x1F 2026-12-05 12:30pm $5.99 €10 £3 ¥100 100%",
    "punctuation!!! ??? ... --- ''quoted'' \"double\" (paren) [bracket] {brace} <angle> ~tilde^caret`grave|pipe\\back",
    "   leading and trailing spaces   ",
    "",
    "UPPER lower MiXeD CamelCase snake_case kebab-case dot.separated email@example.com",
    "Ｔｏｋｙｏ ｶﾀｶﾅ ﾊﾝｶｸ ㈱ ㍻ ℡ Ⅻ",
    "math ∀x∈ℝ: x²≥0 ⇒ √x ∈ ℝ⁺ ∪ {0}; ∑ᵢ aᵢ ≤ ∞",
]


def main():
    with open(os.path.join(DATA, "minilm-l6", "tokenizer.json"), encoding="utf-8") as f:
        config = f.read()
    tok = tokenizers.Tokenizer.from_str(config)
    tok.no_padding()
    tok.no_truncation()
    rng = np.random.default_rng(20261205)

    refs = []  # (source, line, length)
    tweets = examples("tweets-sentiment")
    special = [i for i, t in enumerate(tweets) if any(ord(c) > 0x2000 for c in t) or "http" in t or "#" in t]
    chosen = list(rng.choice(special, 600, replace=False)) + list(rng.choice(len(tweets), 500, replace=False))
    refs += [("tweets-sentiment", int(i), None) for i in chosen]
    bbc = examples("bbc-news")
    refs += [("bbc-news", int(i), 800) for i in rng.choice(len(bbc), 250, replace=False)]
    mr = examples("mr-sentences")
    refs += [("mr-sentences", int(i), None) for i in rng.choice(len(mr), 400, replace=False)]
    docs = documents("python-docs")
    refs += [("python-docs", int(i), 800) for i in rng.choice(len(docs), 300, replace=False)]
    texts = {"tweets-sentiment": tweets, "bbc-news": bbc, "mr-sentences": mr, "python-docs": docs}

    def record(encoding, types=False):
        out = {
            "ids": encoding.ids,
            "offsets": [x for o in encoding.offsets for x in o],  # flat: start, end per token
            "words": [-1 if w is None else w for w in encoding.word_ids],
        }
        if types:
            out["types"] = encoding.type_ids
        return out

    cases = []
    for source, line, length in refs:
        text = texts[source][line]
        if length is not None:
            text = text[:length]
        cases.append({"source": source, "line": line, "length": length, **record(tok.encode(text))})
    for text in CONSTRUCTED:
        cases.append({"text": text, **record(tok.encode(text))})

    pairs = []
    for n in range(200):
        a = int(rng.integers(len(tweets)))
        b = int(rng.integers(len(mr)))
        truncation = [None, "longest_first", "only_second"][n % 3]
        if truncation is None:
            tok.no_truncation()
        else:
            tok.enable_truncation(max_length=48, strategy=truncation)
        try:
            enc = tok.encode(tweets[a], mr[b])
        except Exception:  # only_second with a second sequence too short to absorb the cut: the reference refuses
            continue
        pairs.append({"first": ["tweets-sentiment", a], "second": ["mr-sentences", b], "truncation": truncation,
                      "max_length": None if truncation is None else 48, **record(enc, types=True)})
    tok.no_truncation()

    sentences = []
    with open(os.path.join(DATA, "wnut16-ner", "sentences.conll"), encoding="utf-8") as f:
        block, all_sentences = [], []
        for line in f.read().split("\n"):
            if line.strip():
                block.append(line.split("\t")[0])
            elif block:
                all_sentences.append(block)
                block = []
        if block:
            all_sentences.append(block)
    for i in rng.choice(len(all_sentences), 300, replace=False):
        enc = tok.encode(all_sentences[int(i)], is_pretokenized=True)
        sentences.append({"sentence": int(i), "ids": enc.ids, "words": [-1 if w is None else w for w in enc.word_ids]})

    out = {
        "reference": f"tokenizers {tokenizers.__version__}, minilm-l6 tokenizer.json (padding and truncation off)",
        "cases": cases, "pairs": pairs, "words": sentences,
    }
    path = os.path.join(HERE, "fixtures", "wordpiece.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
    print(f"{path}: {len(cases)} texts, {len(pairs)} pairs, {len(sentences)} word lists, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
