"""`pip install .` into a fresh virtual environment, then `qa` and the command from elsewhere.

No network: the dependencies are this interpreter's own site-packages, made visible to the new
environment (pip and setuptools too) by a .pth file, and pip installs with --no-deps --no-build-isolation.
"""

import shutil
import subprocess
import sysconfig
import venv
from pathlib import Path

from conftest import ROOT, SAMPLE_CORPUS

SHIPPED = ("pyproject.toml", "README.md", "qa", "qa_app")


def run(*command, cwd) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_pip_install_then_import_and_command_outside_the_checkout(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in SHIPPED:  # a clean copy, so the build leaves nothing in the checkout
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    environment = tmp_path / "env"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    purelib = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                       cwd=tmp_path).strip())
    (purelib / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", str(source),
        cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run(str(python), "-c", "import qa, qa.ingest.formats, qa_app.app; print(qa.__file__); print(qa_app.app.__file__); "
                "from qa.answers.reader.learned import MODEL_DIR; print(MODEL_DIR / 'model.onnx')", cwd=elsewhere)
    assert all(line.startswith(str(purelib)) for line in where.split()), where
    assert Path(where.split()[-1]).is_file()  # the reader's weights are installed with the package
    no_app_module = subprocess.run([str(python), "-c", "import app"], cwd=elsewhere, capture_output=True)
    assert no_app_module.returncode != 0  # the web app is qa_app.app, not a top-level module
    command = environment / "bin" / "briefing-qa"
    for word in ("index", "ask", "serve", "eval"):
        assert word in run(str(command), "--help", cwd=elsewhere)

    shutil.copytree(SAMPLE_CORPUS, elsewhere / "corpus")  # the defaults: ./corpus and ./index
    assert "1 briefing; " in run(str(command), "index", cwd=elsewhere)
    assert "UK and France" in run(str(command), "ask", "Which countries committed troops?", cwd=elsewhere)
    bench = subprocess.run([str(command), "bench", "speed"], cwd=elsewhere, capture_output=True, text=True)
    assert bench.returncode == 1 and "checkout" in bench.stderr and "Traceback" not in bench.stderr
