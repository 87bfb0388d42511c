// Every descriptor verification rule of the aot dialect, one failing chunk each.
// RUN: joinery-opt %s --split-input-file --verify-diagnostics

// expected-error@+1 {{#aot.grad cannot wrap subclass piece #aot.subclass_attr: autograd runs on the subclass before it is desugared}}
func.func @nesting$grad_of_subclass_piece(%a: tensor<2xf32> {aot.desc = #aot.subclass_attr<#aot.plain<0>, "a">}) -> (tensor<2xf32> {aot.desc = #aot.grad<#aot.subclass_attr<#aot.plain<0>, "a">>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{#aot.grad requires a differentiable input descriptor, but #aot.dummy is not differentiable}}
func.func @nesting$grad_of_dummy(%a: tensor<2xf32> {aot.desc = #aot.dummy<0>}) -> (tensor<2xf32> {aot.desc = #aot.grad<#aot.dummy<0>>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{#aot.tangent requires a differentiable output descriptor, but #aot.saved_for_backwards is not differentiable}}
func.func @nesting$tangent_of_saved(%a: tensor<2xf32> {aot.desc = #aot.tangent<#aot.saved_for_backwards<0>>}) -> (tensor<2xf32> {aot.desc = #aot.saved_for_backwards<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{#aot.tangent cannot wrap #aot.grad: descriptors nest in pipeline order}}
func.func @nesting$tangent_of_grad(%a: tensor<2xf32> {aot.desc = #aot.plain<0>}, %t: tensor<2xf32> {aot.desc = #aot.tangent<#aot.grad<#aot.plain<0>>>}) -> (tensor<2xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{#aot.grad wraps an input descriptor, but #aot.plain_out is an output descriptor}}
func.func @nesting$grad_of_output(%a: tensor<2xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2xf32> {aot.desc = #aot.grad<#aot.plain_out<0>>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{#aot.subclass_size of a tangent: subclass tangents expand to inner tensors only}}
func.func @nesting$size_of_tangent(%a: tensor<2xf32> {aot.desc = #aot.plain<0>}, %s: index {aot.desc = #aot.subclass_size<#aot.tangent<#aot.plain_out<0>>, 0>}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{#aot.plain takes 1 parameter, as in #aot.plain<idx>, but has 2}}
func.func @params$arity(%a: tensor<2xf32> {aot.desc = #aot.plain<0, 1>}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{parameter 1 of #aot.param must be a string, as in #aot.param<"target">}}
func.func @params$kind(%a: tensor<2xf32> {aot.desc = #aot.param<0>}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{argument 0 carries #aot.plain_out, an output descriptor; arguments take input descriptors (did you mean #aot.plain?)}}
func.func @site$output_on_argument(%a: tensor<2xf32> {aot.desc = #aot.plain_out<0>}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{result 0 carries #aot.param, an input descriptor; results take output descriptors}}
func.func @site$input_on_result(%a: tensor<2xf32> {aot.desc = #aot.param<"w">}) -> (tensor<2xf32> {aot.desc = #aot.param<"w">}) {
  func.return %a : tensor<2xf32>
}

// -----

func.func @site$on_an_op() {
  // expected-error@+1 {{'aot.desc' belongs on function arguments and results, not on an op}}
  %n = "aot.none"() {aot.desc = #aot.plain<0>} : () -> none
  func.return
}

// -----

// expected-error@+1 {{unknown aot attribute 'aot.descriptor': descriptors use the key 'aot.desc'}}
func.func @site$unknown_key(%a: tensor<2xf32> {aot.descriptor = #aot.plain<0>}) {
  func.return
}

// -----

// expected-error@+1 {{'aot.desc' must be an #aot descriptor attribute}}
func.func @site$not_a_descriptor(%a: tensor<2xf32> {aot.desc = "w"}) {
  func.return
}

// -----

// expected-error@+1 {{dialect 'aot' has no attribute named 'parameter'}}
func.func @site$unknown_descriptor(%a: tensor<2xf32> {aot.desc = #aot.parameter<"w">}) {
  func.return
}

// -----

// expected-error@+1 {{argument 1 has no 'aot.desc': a function with descriptors needs one on every argument and result}}
func.func @complete$argument(%a: tensor<2xf32> {aot.desc = #aot.plain<0>}, %b: tensor<2xf32>) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{result 1 has no 'aot.desc'}}
func.func @complete$result(%a: tensor<2xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}, tensor<2xf32>) {
  func.return %a, %a : tensor<2xf32>, tensor<2xf32>
}

// -----

// expected-error@+1 {{parameter 'w' appears twice: arguments 0 and 1}}
func.func @unique$param(%a: tensor<2xf32> {aot.desc = #aot.param<"w">}, %b: tensor<2xf32> {aot.desc = #aot.param<"w">}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{buffer 'steps' appears twice: arguments 0 and 1}}
func.func @unique$buffer(%a: tensor<2xf32> {aot.desc = #aot.buffer<"steps">}, %b: tensor<2xf32> {aot.desc = #aot.buffer<"steps">}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{plain input 0 appears twice: arguments 0 and 1}}
func.func @unique$plain(%a: tensor<2xf32> {aot.desc = #aot.plain<0>}, %b: tensor<2xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{'w' names both a parameter (argument 0) and a buffer (argument 1)}}
func.func @unique$param_and_buffer(%a: tensor<2xf32> {aot.desc = #aot.param<"w">}, %b: tensor<2xf32> {aot.desc = #aot.buffer<"w">}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{the tangent of output[0] appears twice: arguments 0 and 1}}
func.func @unique$tangent(%a: tensor<2xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}, %b: tensor<2xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{self.get_parameter('w') has two gradient slots: results 0 and 1}}
func.func @unique$gradient_slot(%a: tensor<2xf32> {aot.desc = #aot.param<"w">}) -> (tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"w">>}, none {aot.desc = #aot.none_grad<#aot.param<"w">>}) {
  %n = "aot.none"() : () -> none
  func.return %a, %n : tensor<2xf32>, none
}

// -----

// expected-error@+1 {{the mutation of self.get_buffer('steps') appears twice: results 0 and 1}}
func.func @unique$mutation(%a: tensor<2xf32> {aot.desc = #aot.buffer<"steps">}) -> (tensor<2xf32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>}, tensor<2xf32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>}) {
  func.return %a, %a : tensor<2xf32>, tensor<2xf32>
}

// -----

// expected-error@+1 {{result 1 is the gradient of self.get_parameter('v'), but no argument is described by ParamAOTInput(target='v')}}
func.func @refs$grad(%a: tensor<2xf32> {aot.desc = #aot.param<"w">}) -> (tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"w">>}, tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"v">>}) {
  func.return %a, %a : tensor<2xf32>, tensor<2xf32>
}

// -----

// expected-error@+1 {{argument 0 is the tangent of output[1], but no result is described by PlainAOTOutput(idx=1)}}
func.func @refs$tangent(%t: tensor<2xf32> {aot.desc = #aot.tangent<#aot.plain_out<1>>}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %t : tensor<2xf32>
}

// -----

// expected-error@+1 {{result 0 is the mutation of self.get_buffer('steps'), but no argument is described by BufferAOTInput(target='steps')}}
func.func @refs$mutation(%a: tensor<2xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2xf32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{result 0 is the intermediate base of output[3], but no result is described by PlainAOTOutput(idx=3)}}
func.func @refs$intermediate_base(%a: tensor<2xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2xf32> {aot.desc = #aot.intermediate_base<#aot.plain_out<3>>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{result 0 is the gradient of argument 0 but its type differs from the argument's type}}
func.func @types$grad(%a: tensor<2xf32> {aot.desc = #aot.param<"w">}, %b: tensor<3xf32> {aot.desc = #aot.param<"v">}) -> (tensor<3xf32> {aot.desc = #aot.grad<#aot.param<"w">>}, tensor<3xf32> {aot.desc = #aot.grad<#aot.param<"v">>}) {
  func.return %b, %b : tensor<3xf32>, tensor<3xf32>
}

// -----

// expected-error@+1 {{argument 1 is the tangent of result 0 but its type differs from the result's type}}
func.func @types$tangent(%a: tensor<2xf32> {aot.desc = #aot.plain<0>}, %t: tensor<3xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{result 0 carries #aot.none_grad, which marks a missing gradient and needs result type 'none'}}
func.func @none$needs_none_type(%a: tensor<2xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2xf32> {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
  func.return %a : tensor<2xf32>
}

// -----

// expected-error@+1 {{result 0 has type 'none', which only #aot.none_grad gradient slots have}}
func.func @none$only_none_grad(%a: tensor<2xf32> {aot.desc = #aot.plain<0>}) -> (none {aot.desc = #aot.plain_out<0>}) {
  %n = "aot.none"() : () -> none
  func.return %n : none
}

// -----

// expected-error@+1 {{argument 1 (PlainAOTInput(idx=0)) is a primal without a gradient slot}}
func.func @slots$missing(%w: tensor<2xf32> {aot.desc = #aot.param<"w">}, %x: tensor<2xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"w">>}) {
  func.return %w : tensor<2xf32>
}

// -----

// expected-error@+1 {{gradient slots are out of primal order: result 1 is the slot of argument 0 but comes after result 0, the slot of argument 1}}
func.func @slots$order(%w: tensor<2xf32> {aot.desc = #aot.param<"w">}, %x: tensor<2xf32> {aot.desc = #aot.plain<0>}) -> (none {aot.desc = #aot.none_grad<#aot.plain<0>>}, tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"w">>}) {
  %n = "aot.none"() : () -> none
  func.return %n, %w : none, tensor<2xf32>
}

// -----

func.func @none_op$operands(%a: tensor<2xf32>) {
  // expected-error@+1 {{'aot.none' takes no operands and has one result of type 'none'}}
  %n = "aot.none"(%a) : (tensor<2xf32>) -> none
  func.return
}
