"""joinery's PyTorch bridge: export AOTAutograd joint graphs with descriptors as joinery text,
and compile them with joinery into differentiable native callables.

>>> text = export_joint(torch.nn.Linear(3, 2), (torch.randn(4, 3),))
>>> forward = export_forward(model, (x,))  # for joinery-opt --aot-make-joint
>>> step = compile_joint(model, (x, y)); step(x, y).backward()
>>> fast = torch.compile(model, backend="joinery")  # registered on import
"""

from .aot import bw_compiler, fw_compiler, partition_fn
from .backend import JoineryFallbackWarning, joinery_backend, register
from .compile import CompileError, CompiledJoint, cache_dir, compile_joint
from .exporter import ExportError, JointExport, export, export_forward, export_joint

__all__ = ["CompileError", "CompiledJoint", "ExportError", "JoineryFallbackWarning", "JointExport", "cache_dir",
           "bw_compiler", "compile_joint", "export", "export_forward", "export_joint", "fw_compiler",
           "joinery_backend", "partition_fn"]

register()
