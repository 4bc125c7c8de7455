#!/usr/bin/env python3
"""Generate Sources/CLIP/Vocabulary/BuiltinVocabularyData.swift from FC-CLIP's class-name files.

Usage (from anywhere):

    tools/generate-builtin-vocabularies.py [FOLDER] [--output FILE] [--check]

FOLDER is the fcclip-classnames folder (the `*_with_prompt_eng.txt` files copied from
bytedance/fc-clip plus the generated TSVs). Default: ../shared/spec/fcclip-classnames relative to the
repository root, falling back to Tests/Fixtures/spec/fcclip-classnames. `--check` writes nothing and
exits with status 1 when the Swift file is not what this script would write.

Rules (fcclip-inference.md section 4.4, fcclip-classnames/README.md):
- A `*_with_prompt_eng.txt` line is `index:name`. Lines whose name is `invalid_class_id` are skipped,
  and so is index 0, except in cityscapes and pascal_voc_21.
- The class order is the official metadata order: the TSV order where a TSV exists (the script checks
  that it equals the file order), otherwise the file order after skipping.
- The class string is embedded unchanged; Swift applies the official synonym split at load time.
- isthing comes from the TSV where one exists. Otherwise: ADE-847 and Pascal Context 59/459 are
  semantic-only datasets, all stuff; Pascal VOC 21 has its 20 object classes as things and
  `background` as stuff; LVIS (an instance dataset) is all things.

Only the Python standard library is used. The output is deterministic (no dates or paths).
"""

import argparse
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FOLDERS = [
    os.path.join(REPO_ROOT, "..", "shared", "spec", "fcclip-classnames"),
    os.path.join(REPO_ROOT, "Tests", "Fixtures", "spec", "fcclip-classnames"),
]
DEFAULT_OUTPUT = os.path.join(REPO_ROOT, "Sources", "CLIP", "Vocabulary", "BuiltinVocabularyData.swift")

# name, title, prompt-eng file, TSV (or None), keep index 0, expected class count, isthing rule
DATASETS = [
    ("coco", "COCO panoptic", "coco_panoptic_with_prompt_eng.txt", "coco_panoptic_133.tsv", False, 133, None),
    ("ade20k", "ADE20K-150", "ade20k_150_with_prompt_eng.txt", "ade20k_150.tsv", False, 150, None),
    ("ade20k-full", "ADE20K-847", "ade20k_847_with_prompt_eng.txt", None, False, 847, "all-stuff"),
    ("cityscapes", "Cityscapes (19 trainId classes)", "cityscapes_with_prompt_eng.txt", "cityscapes_19.tsv", True, 19, None),
    ("mapillary", "Mapillary Vistas", "mapillary_vistas_with_prompt_eng.txt", "mapillary_vistas_65.tsv", False, 65, None),
    ("pascal-voc", "Pascal VOC (20 classes + background)", "pascal_voc_21_with_prompt_eng.txt", None, True, 21, "first-stuff"),
    ("pascal-context", "Pascal Context 59", "pascal_ctx_59_with_prompt_eng.txt", None, False, 59, "all-stuff"),
    ("pascal-context-full", "Pascal Context 459", "pascal_ctx_459_with_prompt_eng.txt", None, False, 459, "all-stuff"),
    ("lvis", "LVIS v1", "lvis_1203_with_prompt_eng.txt", None, False, 1203, "all-things"),
]

SWIFT_RAW_TERMINATOR = '"""#'


def fail(message):
    sys.stderr.write("generate-builtin-vocabularies: " + message + "\n")
    sys.exit(2)


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def prompt_eng_classes(path, keep_index_zero):
    """Class strings of a `*_with_prompt_eng.txt` file after the official skipping."""
    names = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line:
            continue
        index, sep, name = line.partition(":")
        if not sep or not index.strip().isdigit():
            fail("%s:%d: expected `index:name`, got %r" % (path, number, line))
        if name == "invalid_class_id" or (int(index) == 0 and not keep_index_zero):
            continue
        names.append(name)
    return names


def tsv_classes(path):
    """(class string, isthing) pairs of a generated TSV, in its row order."""
    rows = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line or line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 5 or columns[2] not in ("0", "1"):
            fail("%s:%d: expected 5 tab-separated columns with isthing 0/1" % (path, number))
        rows.append((columns[4], columns[2] == "1"))
    return rows


def dataset_classes(folder, spec):
    name, _, txt, tsv, keep0, count, rule = spec
    names = prompt_eng_classes(os.path.join(folder, txt), keep0)
    if tsv is not None:
        rows = tsv_classes(os.path.join(folder, tsv))
        if [r[0] for r in rows] != names:
            fail("%s: %s and %s disagree on the class strings or their order" % (name, tsv, txt))
        classes = rows
    elif rule == "all-stuff":
        classes = [(n, False) for n in names]
    elif rule == "all-things":
        classes = [(n, True) for n in names]
    elif rule == "first-stuff":
        classes = [(n, i != 0) for i, n in enumerate(names)]
    else:
        fail("no isthing rule for " + name)
    if len(classes) != count:
        fail("%s: %d classes, expected %d" % (name, len(classes), count))
    for class_string, _ in classes:
        if SWIFT_RAW_TERMINATOR in class_string or "\n" in class_string or "\r" in class_string:
            fail("%s: class string %r cannot be embedded" % (name, class_string))
        if class_string != class_string.strip() or not class_string:
            fail("%s: class string %r has surrounding whitespace or is empty" % (name, class_string))
    return classes


def swift_source(folder):
    out = [
        "// Generated by tools/generate-builtin-vocabularies.py from fcclip-classnames; do not edit.",
        "// Class strings: fcclip/data/datasets/*_with_prompt_eng.txt of bytedance/fc-clip at commit",
        "// 2b0bbe213070d44da9182530fa2e826fef03f974 (Apache-2.0), in the official metadata order.",
        "// One class per line: `T ` (thing) or `S ` (stuff), then the official class string, whose",
        "// synonyms Vocabulary splits at load time (replace \", \" by \",\", split on \",\").",
        "",
        "extension BuiltinVocabularies {",
        "    /// Every built-in vocabulary, in the order of `Vocabulary.builtinNames`.",
        "    static let records: [BuiltinVocabularyRecord] = [",
    ]
    for spec in DATASETS:
        name, title, txt = spec[0], spec[1], spec[2]
        classes = dataset_classes(folder, spec)
        out.append("        BuiltinVocabularyRecord(")
        out.append('            name: "%s",' % name)
        out.append('            title: "%s",' % title)
        out.append('            source: "%s",' % txt)
        out.append("            classes: #\"\"\"")
        for class_string, isthing in classes:
            out.append("            %s %s" % ("T" if isthing else "S", class_string))
        out.append('            """#')
        out.append("        ),")
    out.append("    ]")
    out.append("}")
    return "\n".join(out) + "\n"


def find_folder(argument):
    if argument is not None:
        return argument
    for candidate in DEFAULT_FOLDERS:
        if os.path.isdir(candidate):
            return candidate
    fail("no fcclip-classnames folder found (tried %s)" % ", ".join(DEFAULT_FOLDERS))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", help="the fcclip-classnames folder")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="the Swift file to write")
    parser.add_argument("--check", action="store_true", help="only check that the output is current")
    args = parser.parse_args()
    source = swift_source(find_folder(args.folder))
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = None
        if current != source:
            sys.stderr.write("%s is out of date; run tools/generate-builtin-vocabularies.py\n" % args.output)
            return 1
        return 0
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
