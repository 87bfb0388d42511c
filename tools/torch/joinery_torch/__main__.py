"""``python -m joinery_torch export path/to/model.py:factory -o out.mlir [--data DIR]``.

``factory`` is a callable in the file returning ``(module, args)`` or
``(module, args, kwargs)``; the module's joint graph is written as joinery text. With
``--data DIR``, example inputs and PyTorch's joint outputs are written as ``.npy`` files
(``DIR/inputs/arg<i>.npy``, ``DIR/expected/result<i>.npy``), with the parameters and buffers
named by their descriptors (``DIR/params/<name>.npy``) and the user inputs as one batch
(``DIR/batch/input<k>.npy``), which ``joinery-run train --params DIR/params --inputs
DIR/batch`` reads.

With ``--forward-only`` the forward graph alone is written (no tangents, no gradient
slots), for ``joinery-opt --aot-make-joint`` to differentiate; user inputs with
``requires_grad=True`` are named on stderr as that pass's ``plain-requires-grad`` option.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from .exporter import ExportError, export
from .progress import Steps


def load_factory(spec: str):
    """The callable named by ``path/to/file.py:name``."""
    path, sep, name = spec.rpartition(":")
    if not sep or not path or not name:
        raise SystemExit(f"error: expected FILE.py:FACTORY, got '{spec}'")
    file = Path(path)
    if not file.is_file():
        raise SystemExit(f"error: no such file: {file}")
    sys.path.insert(0, str(file.resolve().parent))
    mod_spec = importlib.util.spec_from_file_location(file.stem, file)
    module = importlib.util.module_from_spec(mod_spec)
    sys.modules[file.stem] = module
    mod_spec.loader.exec_module(module)
    factory = getattr(module, name, None)
    if not callable(factory):
        raise SystemExit(f"error: {file} has no callable '{name}'")
    return factory


def decomposition_table(name: str):
    """The decomposition table named on the command line."""
    if name == "none":
        return None
    if name == "core":
        from joinery_torch.exporter import core_decompositions

        return core_decompositions()
    raise SystemExit(f"error: unknown decomposition table '{name}' (none, core)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m joinery_torch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="export a module's joint (or forward) graph as joinery text")
    ex.add_argument("factory", help="FILE.py:FACTORY returning (module, args[, kwargs])")
    ex.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    ex.add_argument("--data", help="directory for example inputs and PyTorch's outputs (.npy)")
    ex.add_argument("--decompositions", default="none",
                    help="decomposition table: none (default) or core (core ATen)")
    ex.add_argument("--seed", type=int, default=0, help="seed of the random tangents")
    ex.add_argument("--progress", action="store_true",
                    help="print each step and its time on stderr (default when stderr is a terminal)")
    ex.add_argument("--forward-only", action="store_true",
                    help="export the forward graph alone, for joinery-opt --aot-make-joint")
    opts = parser.parse_args(argv)

    steps = Steps(4 + (opts.data is not None) * 2, asked=opts.progress)
    with steps.step(f"load {opts.factory}"):
        made = load_factory(opts.factory)()
    if not isinstance(made, tuple) or len(made) not in (2, 3):
        raise SystemExit("error: the factory must return (module, args) or (module, args, kwargs)")
    module, args, kwargs = (*made, None) if len(made) == 2 else made
    try:
        result = export(module, args, kwargs, decompositions=decomposition_table(opts.decompositions),
                        run=opts.data is not None, seed=opts.seed, progress=steps,
                        forward_only=opts.forward_only)
    except ExportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if opts.forward_only and result.plain_requires_grad:
        listed = ",".join(map(str, result.plain_requires_grad))
        print(f"note: user inputs {listed} require grad: differentiate with "
              f"joinery-opt --aot-make-joint='plain-requires-grad={listed}'", file=sys.stderr)
    with steps.step("write the text"):
        if opts.output == "-":
            sys.stdout.write(result.text)
        else:
            Path(opts.output).write_text(result.text)
    if opts.data is not None:
        with steps.step(f"write {opts.data}"):
            result.write_npy(opts.data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
