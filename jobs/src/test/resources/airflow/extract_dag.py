"""Reads an Airflow DAG file WITHOUT Airflow (python's ast module only) and prints, as JSON, what the Java test
checks: every SparkSubmitOperator's task_id, java_class, application, conf and application_args (Jinja rendered for
{{ ds }} and {{ var.value.get('name', 'default') }}), the task dependencies (a >> b >> c) and the default_args.

usage: python3 extract_dag.py DAG_FILE DS [VARIABLE=VALUE ...]
Exits 2 naming the construct when the DAG uses something this reader cannot evaluate statically.
"""
import ast
import datetime
import json
import re
import sys

OPERATOR = "SparkSubmitOperator"


class Unsupported(Exception):
    pass


def evaluate(node, env):
    """Literal-ish evaluation: constants, containers, names bound at module level, timedelta/datetime, str +."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [evaluate(e, env) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {evaluate(k, env): evaluate(v, env) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise Unsupported("name '%s' (line %d) is not a module-level constant" % (node.id, node.lineno))
        return env[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return evaluate(node.left, env) + evaluate(node.right, env)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("timedelta", "datetime"):
        args = [evaluate(a, env) for a in node.args]
        kwargs = {k.arg: evaluate(k.value, env) for k in node.keywords}
        if node.func.id == "timedelta":
            return {"seconds": datetime.timedelta(*args, **kwargs).total_seconds()}
        return {"datetime": datetime.datetime(*args, **kwargs).isoformat()}
    raise Unsupported("%s at line %d" % (type(node).__name__, getattr(node, "lineno", 0)))


def render(value, ds, variables):
    """The two Jinja forms the DAG may use; anything else is an error."""
    if isinstance(value, list):
        return [render(v, ds, variables) for v in value]
    if isinstance(value, dict):
        return {k: render(v, ds, variables) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    out = re.sub(r"\{\{\s*ds\s*\}\}", ds, value)
    out = re.sub(r"\{\{\s*var\.value\.get\(\s*'([^']+)'\s*,\s*'([^']*)'\s*\)\s*\}\}",
                 lambda m: variables.get(m.group(1), m.group(2)), out)
    if "{{" in out or "{%" in out:
        raise Unsupported("unrendered template in %r" % value)
    return out


def rshift_chain(node):
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
        return rshift_chain(node.left) + rshift_chain(node.right)
    if isinstance(node, ast.Name):
        return [node.id]
    raise Unsupported("dependency operand %s at line %d" % (type(node).__name__, node.lineno))


def main(argv):
    dag_file, ds = argv[1], argv[2]
    variables = dict(a.split("=", 1) for a in argv[3:])
    tree = ast.parse(open(dag_file, encoding="utf-8").read(), dag_file)
    env, result = {}, {"tasks": [], "edges": [], "default_args": None, "dag": None}
    task_by_var = {}

    def visit(statements):
        for stmt in statements:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                name, value = stmt.targets[0].id, stmt.value
                if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == OPERATOR:
                    kw = {k.arg: k.value for k in value.keywords if k.arg}
                    task = {key: render(evaluate(kw[key], env), ds, variables) if key in kw else None
                            for key in ("task_id", "java_class", "application", "application_args", "conf")}
                    task_by_var[name] = task["task_id"]
                    result["tasks"].append(task)
                else:
                    try:
                        env[name] = evaluate(value, env)
                    except Unsupported:
                        pass  # not a constant; fine unless an operator refers to it
                    if name == "default_args":
                        result["default_args"] = evaluate(value, env)
            elif isinstance(stmt, ast.With):
                for item in stmt.items:
                    call = item.context_expr
                    if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "DAG":
                        result["dag"] = {k.arg: evaluate(k.value, env) for k in call.keywords}
                visit(stmt.body)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.BinOp):
                chain = [task_by_var[n] for n in rshift_chain(stmt.value)]
                result["edges"].extend([a, b] for a, b in zip(chain, chain[1:]))

    visit(tree.body)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    try:
        main(sys.argv)
    except Unsupported as e:
        print("Cannot read the DAG statically: %s" % e, file=sys.stderr)
        sys.exit(2)
