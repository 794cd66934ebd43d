#!/usr/bin/env python3
"""Writes a small fabricated PROPER run directory for testing notebooks/proper_run.ipynb without a pipeline run.

Layout (DESIGN §5): RUN_DIR/_manifest.json plus, per table (metrics, user_groups, user_embeddings),
  RUN_DIR/exports/<table>/part-00000.json   JSON Lines, one row per line, the table's columns (what Spark's
                                            DataFrameWriter.json writes; nulls are left out as Spark does)
  RUN_DIR/<table>/part-00000.parquet        only when pyarrow is importable (Debian bookworm has no pyarrow)
The numbers are random (fixed seed) with planted groups; they mean nothing.

Usage: fabricate_run.py RUN_DIR [--users N] [--groups K] [--seed S] [--schema data-schemas/manifest.schema.json]
"""
import argparse
import json
import math
import pathlib
import random

METHODS = ["base", "population", "user-majority", "OPPU", "group-only", "PROPER",
           "PROPER-hard-clusters", "PROPER-fixed-beta", "PROPER-no-diversity"]
BUCKETS = [("1-4", 1, 4), ("5-19", 5, 19), ("20-99", 20, 99), ("100+", 100, 400)]


def bucket_of(length):
    for label, low, high in BUCKETS:
        if low <= length <= high:
            return label
    return "100+"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--users", type=int, default=120)
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--dim", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--schema", help="validate the manifest against this JSON schema (data-schemas/manifest.schema.json)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    run = pathlib.Path(args.run_dir)
    run.mkdir(parents=True, exist_ok=True)

    centres = [[rng.gauss(0, 1) for _ in range(args.dim)] for _ in range(args.groups)]
    users, embeddings, groups, metrics = [], [], [], []
    for u in range(args.users):
        user = f"u{u:04d}"
        group = u % args.groups
        vector = [c + rng.gauss(0, 0.35) for c in centres[group]]
        norm = math.sqrt(sum(v * v for v in vector))
        embeddings.append({"user_id": user, "embedding": [v / norm for v in vector], "method": "tfidf-pca"})
        logits = [(3.0 if k == group else 0.0) + rng.gauss(0, 0.8) for k in range(args.groups)]
        total = sum(math.exp(x) for x in logits)
        probabilities = [math.exp(x) / total for x in logits]
        groups.append({"user_id": user, "group_id": max(range(args.groups), key=lambda k: probabilities[k]),
                       "probabilities": probabilities, "algorithm": "kmeans"})
        length = min(400, int(rng.paretovariate(0.9)) + 1)
        users.append((user, length))

    for m, method in enumerate(METHODS):
        skill = 0.35 + 0.05 * m
        per_bucket = {}
        for user, length in users:
            correct = 1.0 if rng.random() < skill + (0.1 if length < 5 and m >= 5 else 0.0) else 0.0
            per_bucket.setdefault(bucket_of(length), []).append(correct)
            metrics.append({"method": method, "scope": "user", "bucket": bucket_of(length), "user_id": user,
                            "metric": "accuracy", "value": correct, "n": 1})
        everything = [v for values in per_bucket.values() for v in values]
        for metric, scale in (("accuracy", 1.0), ("macro_f1", 0.8)):
            metrics.append({"method": method, "scope": "overall", "metric": metric,
                            "value": scale * sum(everything) / len(everything), "n": len(everything)})
            for label, values in per_bucket.items():
                metrics.append({"method": method, "scope": "bucket", "bucket": label, "metric": metric,
                                "value": scale * sum(values) / len(values), "n": len(values)})

    tables = {"metrics": metrics, "user_groups": groups, "user_embeddings": embeddings}
    for name, rows in tables.items():
        export = run / "exports" / name
        export.mkdir(parents=True, exist_ok=True)
        with open(export / "part-00000.json", "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row) + "\n")
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            continue
        (run / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows), run / name / "part-00000.parquet")

    summary = {}
    for m in metrics:
        if m["scope"] == "overall":
            summary.setdefault(m["method"], {})[m["metric"]] = m["value"]
    manifest = {
        "run_id": run.name,
        "parent_run_id": None,
        "run_date": "2026-11-25",
        "created_at": "2026-11-25T18:00:00Z",
        "config": {"fabricated": True, "users": args.users, "groups": args.groups, "seed": args.seed},
        "config_sha256": "0" * 64,
        "base_model_fingerprint": "fabricated",
        "code_version": "fabricate_run.py",
        "input_fingerprint": "fabricated",
        "counts": {"users": args.users, "groups": args.groups, "metrics": len(metrics)},
        "timings_ms": {"embed": 12500, "cluster": 4200, "population": 95000, "group": 130400, "user": 210900,
                       "eval": 30100},
        "stages": ["embed", "cluster", "population", "group", "user", "eval"],
        "metrics_summary": summary,
        "retrained": None,
    }
    if args.schema:
        import jsonschema  # comes with python3-nbformat
        jsonschema.validate(manifest, json.loads(pathlib.Path(args.schema).read_text(encoding="utf-8")))
    (run / "_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"fabricated run in {run}: {args.users} users, {args.groups} groups, {len(metrics)} metric rows")


if __name__ == "__main__":
    main()
