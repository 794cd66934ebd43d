#!/usr/bin/env bash
# Executes notebooks/proper_run.ipynb against one run directory with Debian's Jupyter (nbconvert + ipykernel).
#
#   notebooks/execute.sh RUN_DIR [OUTPUT.ipynb]
#
# RUN_DIR is <warehouse>/runs/<run_id> (it must hold _manifest.json). The executed notebook, with its plots, is
# written to OUTPUT.ipynb (default: RUN_DIR/proper_run.executed.ipynb); the source notebook is left untouched.
# Debian packages: jupyter-nbconvert python3-nbconvert python3-nbformat python3-ipykernel python3-matplotlib
#                  python3-pandas (python3-numpy comes with them).
set -euo pipefail
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 RUN_DIR [OUTPUT.ipynb]" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ! -d "$1" ]]; then
  echo "Cannot execute the notebook: run directory '$1' does not exist" >&2
  exit 2
fi
run_dir=$(cd "$1" && pwd)
out=${2:-$run_dir/proper_run.executed.ipynb}
mkdir -p "$(dirname "$out")"
out_dir=$(cd "$(dirname "$out")" && pwd)
# Debian's own python3 and jupyter first: a pyenv/conda python earlier on PATH usually lacks these packages.
export PATH=/usr/bin:/bin:$PATH
export PROPER_RUN_DIR=$run_dir
export MPLBACKEND=Agg
export PYDEVD_DISABLE_FILE_VALIDATION=1
exec jupyter nbconvert --to notebook --execute \
  --ExecutePreprocessor.timeout="${PROPER_NOTEBOOK_TIMEOUT_S:-600}" \
  --ExecutePreprocessor.kernel_name=python3 \
  --output-dir "$out_dir" --output "$(basename "$out")" \
  "$here/proper_run.ipynb"
