module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["l.weight", "l.bias"]} {
  func.func @joint(%primals_1: tensor<3x3xf32> {aot.desc = #aot.param<"l.weight">},
                   %primals_2: tensor<3xf32> {aot.desc = #aot.param<"l.bias">},
                   %primals_3: tensor<2x3xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
          tensor<3x3xf32> {aot.desc = #aot.grad<#aot.param<"l.weight">>},
          tensor<3xf32> {aot.desc = #aot.grad<#aot.param<"l.bias">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %_tensor_constant0 = "arith.constant"() <{value = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>}> : () -> tensor<3xf32>
    %_tensor_constant1 = "arith.constant"() <{value = dense<"0x00000000000000000000003F0000803F254912BE0000003F00000040254992BE0000003F00004040B76DDBBE0000003F00008040254912BF0000003F0000A0406EDB36BF0000003F0000C040B76D5BBF0000003F0000E040000080BF0000003F00000041254992BF0000003F000010414992A4BF0000003F000020416EDBB6BF0000003F000030419224C9BF0000003F00004041B76DDBBF0000003F00005041DBB6EDBF0000003F00006041000000C00000003F00007041922409C00000003F00008041254912C00000003F00008841B76D1BC00000003F00009041499224C00000003F00009841DBB62DC00000003F0000A0416EDB36C00000003F0000A841000040C00000003F0000B041922449C00000003F0000B841254952C00000003F0000C041B76D5BC00000003F0000C841499264C00000003F0000D041DBB66DC00000003F0000D8416EDB76C00000003F0000E041000080C00000003F0000E841499284C00000003F0000F041922489C00000003F0000F841DBB68DC00000003F00000042254992C00000003F000004426EDB96C00000003F00000842B76D9BC00000003F00000C420000A0C00000003F000010424992A4C00000003F000014429224A9C00000003F00001842DBB6ADC00000003F00001C422549B2C00000003F000020426EDBB6C00000003F00002442B76DBBC00000003F000028420000C0C00000003F00002C424992C4C00000003F000030429224C9C00000003F00003442DBB6CDC00000003F000038422549D2C00000003F00003C426EDBD6C00000003F00004042B76DDBC00000003F000044420000E0C00000003F000048424992E4C00000003F00004C429224E9C00000003F00005042DBB6EDC00000003F000054422549F2C00000003F000058426EDBF6C00000003F00005C42B76DFBC00000003F00006042000000C10000003F00006442254902C10000003F00006842499204C10000003F00006C426EDB06C10000003F00007042922409C10000003F00007442B76D0BC10000003F00007842DBB60DC10000003F00007C42000010C10000003F00008042254912C10000003F00008242499214C10000003F000084426EDB16C10000003F00008642922419C10000003F00008842B76D1BC10000003F00008A42DBB61DC10000003F00008C42000020C10000003F00008E42254922C10000003F00009042499224C10000003F000092426EDB26C10000003F00009442922429C10000003F00009642B76D2BC10000003F00009842DBB62DC10000003F00009A42000030C10000003F00009C42254932C10000003F00009E42499234C10000003F0000A0426EDB36C10000003F0000A242922439C10000003F0000A442B76D3BC10000003F0000A642DBB63DC10000003F0000A842000040C10000003F0000AA42254942C10000003F0000AC42499244C10000003F0000AE426EDB46C10000003F0000B042922449C10000003F0000B242B76D4BC10000003F0000B442DBB64DC10000003F0000B642000050C10000003F0000B842254952C10000003F0000BA42499254C10000003F0000BC426EDB56C10000003F0000BE42922459C10000003F0000C042B76D5BC10000003F0000C242DBB65DC10000003F0000C442000060C10000003F0000C642254962C10000003F"> : tensor<100x3xf32>}> : () -> tensor<100x3xf32>
    %_tensor_constant2 = "arith.constant"() <{value = dense<"0x49922449922449922449922449922449922409"> : tensor<150xi1>}> : () -> tensor<150xi1>
    %t = "aten.t"(%primals_1) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %addmm = "aten.addmm"(%primals_2, %primals_3, %t) : (tensor<3xf32>, tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    %mul = "aten.mul.Tensor"(%addmm, %_tensor_constant0) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %sum_1 = "aten.sum"(%mul) : (tensor<2x3xf32>) -> tensor<f32>
    %slice_1 = "aten.slice.Tensor"(%_tensor_constant1) {dim = 0 : i64, end = 2 : i64, start = 0 : i64} : (tensor<100x3xf32>) -> tensor<2x3xf32>
    %mul_1 = "aten.mul.Tensor"(%slice_1, %mul) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %mean = "aten.mean"(%mul_1) : (tensor<2x3xf32>) -> tensor<f32>
    %add = "aten.add.Tensor"(%sum_1, %mean) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %sum_2 = "aten.sum"(%_tensor_constant2) : (tensor<150xi1>) -> tensor<i64>
    %add_1 = "aten.add.Tensor"(%add, %sum_2) : (tensor<f32>, tensor<i64>) -> tensor<f32>
    %expand = "aten.expand"(%tangents_1) {size = [2, 3]} : (tensor<f32>) -> tensor<2x3xf32>
    %div = "aten.div.Scalar"(%expand) {other = 6 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %mul_2 = "aten.mul.Tensor"(%div, %slice_1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %expand_1 = "aten.expand"(%tangents_1) {size = [2, 3]} : (tensor<f32>) -> tensor<2x3xf32>
    %add_2 = "aten.add.Tensor"(%mul_2, %expand_1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %mul_3 = "aten.mul.Tensor"(%add_2, %_tensor_constant0) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %t_1 = "aten.t"(%mul_3) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %mm = "aten.mm"(%t_1, %primals_3) : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
    %t_2 = "aten.t"(%mm) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %sum_3 = "aten.sum.dim_IntList"(%mul_3) {dim = [0], keepdim = true} : (tensor<2x3xf32>) -> tensor<1x3xf32>
    %view = "aten.view"(%sum_3) {size = [3]} : (tensor<1x3xf32>) -> tensor<3xf32>
    %t_3 = "aten.t"(%t_2) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %none = "aot.none"() : () -> none
    func.return %add_1, %t_3, %view, %none : tensor<f32>, tensor<3x3xf32>, tensor<3xf32>, none
  }
}
