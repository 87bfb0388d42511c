// Every descriptor of the aot dialect survives print and parse, on a joint that uses them
// all and verifies: inputs on arguments, outputs on results, one gradient slot per primal.
// RUN: joinery-opt %s | joinery-opt | FileCheck %s
// RUN: joinery-opt %s --print-op-generic | joinery-opt | FileCheck %s

// CHECK-LABEL: func.func @every_descriptor
// CHECK: #aot.param<"w">
// CHECK: #aot.buffer<"steps">
// CHECK: #aot.plain<0>
// CHECK: #aot.dummy<0>
// CHECK: #aot.view_base<#aot.plain<1>>
// CHECK: #aot.synthetic_base<#aot.plain<2>>
// CHECK: #aot.subclass_attr<#aot.plain<3>, "a">
// CHECK: #aot.subclass_size<#aot.plain<3>, 0>
// CHECK: #aot.subclass_stride<#aot.plain<3>, 0>
// CHECK: #aot.forward_token<0>
// CHECK: #aot.backward_token<0>
// CHECK: #aot.philox_fwd_seed
// CHECK: #aot.philox_fwd_base_offset
// CHECK: #aot.philox_bwd_seed
// CHECK: #aot.philox_bwd_base_offset
// CHECK: #aot.opaque_ref<0>
// CHECK: #aot.tangent<#aot.plain_out<0>>
// CHECK: #aot.tangent<#aot.input_mutation<#aot.buffer<"steps">>>
// CHECK: #aot.subclass_attr<#aot.tangent<#aot.plain_out<1>>, "a">
// CHECK: #aot.forward_token_out<0>
// CHECK: #aot.input_mutation<#aot.buffer<"steps">>
// CHECK: #aot.plain_out<0>
// CHECK: #aot.subclass_attr_out<#aot.plain_out<1>, "a">
// CHECK: #aot.subclass_size_out<#aot.plain_out<1>, 0>
// CHECK: #aot.subclass_stride_out<#aot.plain_out<1>, 0>
// CHECK: #aot.metadata_mutation<0>
// CHECK: #aot.intermediate_base<#aot.plain_out<0>>
// CHECK: #aot.philox_updated_fwd_offset
// CHECK: #aot.saved_for_backwards<0>
// CHECK: #aot.saved_for_backwards_no_vc_check<1>
// CHECK: #aot.dummy_out<0>
// CHECK: #aot.grad<#aot.param<"w">>
// CHECK: none {aot.desc = #aot.none_grad<#aot.buffer<"steps">>}
// CHECK: none {aot.desc = #aot.none_grad<#aot.plain<0>>}
// CHECK: #aot.grad<#aot.view_base<#aot.plain<1>>>
// CHECK: #aot.grad<#aot.synthetic_base<#aot.plain<2>>>
// CHECK: #aot.subclass_attr_out<#aot.grad<#aot.plain<3>>, "a">
// CHECK: #aot.backward_token_out<0>
// CHECK: #aot.philox_updated_bwd_offset
// CHECK: "aot.none"() : () -> none
func.func @every_descriptor(%p: tensor<2xf32> {aot.desc = #aot.param<"w">},
                            %b: tensor<2xf32> {aot.desc = #aot.buffer<"steps">},
                            %x: tensor<2xf32> {aot.desc = #aot.plain<0>},
                            %d: tensor<2xf32> {aot.desc = #aot.dummy<0>},
                            %vb: tensor<2xf32> {aot.desc = #aot.view_base<#aot.plain<1>>},
                            %sb: tensor<2xf32> {aot.desc = #aot.synthetic_base<#aot.plain<2>>},
                            %sa: tensor<2xf32> {aot.desc = #aot.subclass_attr<#aot.plain<3>, "a">},
                            %ss: index {aot.desc = #aot.subclass_size<#aot.plain<3>, 0>},
                            %st: index {aot.desc = #aot.subclass_stride<#aot.plain<3>, 0>},
                            %ft: tensor<0xf32> {aot.desc = #aot.forward_token<0>},
                            %bt: tensor<0xf32> {aot.desc = #aot.backward_token<0>},
                            %fs: tensor<i64> {aot.desc = #aot.philox_fwd_seed},
                            %fo: tensor<i64> {aot.desc = #aot.philox_fwd_base_offset},
                            %bs: tensor<i64> {aot.desc = #aot.philox_bwd_seed},
                            %bo: tensor<i64> {aot.desc = #aot.philox_bwd_base_offset},
                            %or: tensor<2xf32> {aot.desc = #aot.opaque_ref<0>},
                            %t0: tensor<2xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>},
                            %tm: tensor<2xf32> {aot.desc = #aot.tangent<#aot.input_mutation<#aot.buffer<"steps">>>},
                            %ta: tensor<2xf32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<1>>, "a">})
    -> (tensor<0xf32> {aot.desc = #aot.forward_token_out<0>},
        tensor<2xf32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>},
        tensor<2xf32> {aot.desc = #aot.plain_out<0>},
        tensor<2xf32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<1>, "a">},
        index {aot.desc = #aot.subclass_size_out<#aot.plain_out<1>, 0>},
        index {aot.desc = #aot.subclass_stride_out<#aot.plain_out<1>, 0>},
        tensor<2xf32> {aot.desc = #aot.metadata_mutation<0>},
        tensor<2xf32> {aot.desc = #aot.intermediate_base<#aot.plain_out<0>>},
        tensor<i64> {aot.desc = #aot.philox_updated_fwd_offset},
        tensor<2xf32> {aot.desc = #aot.saved_for_backwards<0>},
        tensor<2xf32> {aot.desc = #aot.saved_for_backwards_no_vc_check<1>},
        tensor<2xf32> {aot.desc = #aot.dummy_out<0>},
        tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"w">>},
        none {aot.desc = #aot.none_grad<#aot.buffer<"steps">>},
        none {aot.desc = #aot.none_grad<#aot.plain<0>>},
        tensor<2xf32> {aot.desc = #aot.grad<#aot.view_base<#aot.plain<1>>>},
        tensor<2xf32> {aot.desc = #aot.grad<#aot.synthetic_base<#aot.plain<2>>>},
        tensor<2xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.plain<3>>, "a">},
        tensor<0xf32> {aot.desc = #aot.backward_token_out<0>},
        tensor<i64> {aot.desc = #aot.philox_updated_bwd_offset}) {
  %none = "aot.none"() : () -> none
  func.return %ft, %p, %p, %p, %ss, %st, %p, %p, %fo, %p, %p, %p, %p, %none, %none, %p, %p, %p, %bt, %bo : tensor<0xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, index, index, tensor<2xf32>, tensor<2xf32>, tensor<i64>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, none, none, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<0xf32>, tensor<i64>
}
