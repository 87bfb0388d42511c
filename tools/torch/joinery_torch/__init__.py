"""joinery's PyTorch bridge: export AOTAutograd joint graphs with descriptors as joinery text.

>>> text = export_joint(torch.nn.Linear(3, 2), (torch.randn(4, 3),))
"""

from .exporter import ExportError, JointExport, export, export_joint

__all__ = ["ExportError", "JointExport", "export", "export_joint"]
