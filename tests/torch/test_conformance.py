"""descriptors.md §7: the behaviours of test_aot_joint_with_descriptors.py that concern an
exporter, checked on joinery's side (the exported text and joinery's descriptor tables)."""

from __future__ import annotations

import re

import torch.utils._pytree as pytree

import harness


def signature(result):
    """Argument and result descriptor attributes of ``@joint``, in order."""
    head = result.text.split(") {\n", 1)[0]
    args_part, _, results_part = head.partition("-> (")
    return (re.findall(r"aot\.desc = (#aot\.[^}]*)\}", args_part),
            re.findall(r"aot\.desc = (#aot\.[^}]*)\}", results_part))


def module_spec(result, key):
    """The pytree spec stored in module attribute ``key`` (an MLIR string of JSON)."""
    literal = re.search(key + r' = "((?:[^"\\]|\\.)*)"', result.text).group(1)
    return pytree.treespec_loads(re.sub(r"\\(.)", r"\1", literal))


def fx(exported, name):
    _, _, _, d = exported(name)
    return harness.joinery_fx_utils(harness.joinery_table(d / "joint.mlir"))


def test_simple_linear_module(exported):
    _, _, result, _ = exported("simple_linear")
    args, results = signature(result)
    assert args == ['#aot.param<"linear.weight">', '#aot.param<"linear.bias">',
                    "#aot.plain<0>", "#aot.tangent<#aot.plain_out<0>>"]
    assert results == ["#aot.plain_out<0>", '#aot.grad<#aot.param<"linear.weight">>',
                       '#aot.grad<#aot.param<"linear.bias">>', "#aot.none_grad<#aot.plain<0>>"]
    assert "%primals_1: tensor<2x3xf32>" in result.text
    assert re.search(r'%addmm = "aten.addmm"\(%primals_2, %primals_3, %t\)', result.text)


def test_conv_bn_module(exported):
    _, _, result, _ = exported("conv_bn")
    assert result.params_spec == ["conv.weight", "conv.bias", "bn.weight", "bn.bias"]
    assert result.buffers_spec == ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    _, results = signature(result)
    assert results[:3] == [f'#aot.input_mutation<#aot.buffer<"bn.{b}">>'
                           for b in ("running_mean", "running_var", "num_batches_tracked")]
    assert results[3] == "#aot.plain_out<0>"
    assert all(r.startswith("#aot.grad<#aot.param") for r in results[4:8])
    assert all(r.startswith("#aot.none_grad") for r in results[8:])
    assert len(results) == 12
    assert 'torch.buffers_spec = ["bn.running_mean", "bn.running_var", ' in result.text


def test_module_with_kwargs(exported):
    _, _, result, _ = exported("kwargs")
    args, _ = signature(result)
    assert args[2:4] == ["#aot.plain<0>", "#aot.plain<1>"]
    spec = module_spec(result, "torch.in_spec")
    assert spec == result.in_spec
    (_, kwargs) = pytree.tree_unflatten(list(range(spec.num_leaves)), spec)
    assert list(kwargs) == ["scale"]


def test_multiple_outputs_module(exported):
    _, _, result, _ = exported("multiple_outputs")
    args, results = signature(result)
    assert args[-2:] == ["#aot.tangent<#aot.plain_out<0>>", "#aot.tangent<#aot.plain_out<1>>"]
    assert [r for r in results if r.startswith("#aot.grad")] == [
        f'#aot.grad<#aot.param<"{p}">>'
        for p in ("linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias")
    ]


def test_in_out_specs(exported):
    _, _, result, _ = exported("simple_linear")
    assert result.in_spec is not None and result.out_spec is not None
    assert result.buffers_spec == []
    assert "torch.buffers_spec = []" in result.text
    assert module_spec(result, "torch.in_spec") == result.in_spec
    assert module_spec(result, "torch.out_spec") == result.out_spec


def test_fx_utils_simple_linear(exported):
    t = fx(exported, "simple_linear")
    assert len(t["named_params"]) == 2 and t["named_buffers"] == []
    assert len(t["all_input_and_grad"]) == 4  # the tangent is differentiable too
    assert all(grad is not None for _, _, grad in t["param_and_grad"])
    assert [grad for _, _, grad in t["plain_input_and_grad"]] == [None]
    assert len(t["all_output_and_tangent"]) == 3
    assert [tan for _, _, tan in t["plain_output_and_tangent"]] == ["tangents_1"]


def test_fx_utils_conv_bn_module(exported):
    t = fx(exported, "conv_bn")
    assert len(t["named_params"]) == 4 and len(t["named_buffers"]) == 3
    assert len(t["all_input_and_grad"]) == 9


def test_fx_utils_multiple_outputs(exported):
    t = fx(exported, "multiple_outputs")
    assert len(t["all_output_and_tangent"]) == 6
    assert [tan for _, _, tan in t["plain_output_and_tangent"]] == ["tangents_1", "tangents_2"]
    assert len(t["param_and_grad"]) == 4


def test_fx_utils_linear_relu_steps(exported):
    """descriptors.md §6: 2 param grads, plain input without grad, 5 inputs, 4 outputs of
    which only the loss has a tangent."""
    t = fx(exported, "linear_relu_steps")
    assert len(t["param_and_grad"]) == 2
    assert t["plain_input_and_grad"] == [("PlainAOTInput(idx=0)", "primals_4", None)]
    assert len(t["all_input_and_grad"]) == 5
    assert len(t["all_output_and_tangent"]) == 4
    assert [o for o in t["all_output_and_tangent"] if o[2] is not None] == [
        ("PlainAOTOutput(idx=0)", "sum_1", "tangents_1")
    ]


def test_mutated_plain_input_is_an_output(exported):
    _, _, result, _ = exported("mutates_input")
    _, results = signature(result)
    assert results[0] == "#aot.input_mutation<#aot.plain<0>>"


def test_subclass_parameter_is_desugared(exported):
    _, _, result, _ = exported("two_tensor_param")
    args, results = signature(result)
    assert args[:2] == ['#aot.subclass_attr<#aot.param<"w">, "a">',
                        '#aot.subclass_attr<#aot.param<"w">, "b">']
    assert results[2:] == ['#aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "a">',
                           '#aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "b">',
                           "#aot.none_grad<#aot.plain<0>>"]


def test_multi_result_ops_name_results_after_getitem(exported):
    _, _, result, _ = exported("transformer_block")
    assert re.search(r'%getitem, %getitem_1, %getitem_2 = "aten.native_layer_norm"',
                     result.text)
    # A result no getitem reads still gets a name (the masked-out input grad here).
    assert re.search(r'%native_layer_norm_backward_1_0, %getitem_13, %getitem_14 = ',
                     result.text)
