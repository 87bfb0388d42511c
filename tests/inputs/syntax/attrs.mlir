"d.attrs"() {
  a = 42 : i64, b = -7 : i32, c = 0x10 : i16, f = 1.5 : f32, g = -2.5e-3, h = 0x7FC00000 : f32,
  i = 0xFFF0000000000000 : f64, j = 0x7C00 : f16, k = 0.1 : bf16, idx = 3 : index,
  s = "quote\"d\0A\t", e = "", t = true, u = false, un, ty = tensor<?x4xf32>, ft = (i32, f32) -> (i1),
  ut = tensor<*xbf16>, z = tensor<0xf32>, zz = tensor<0x0xi8>, sym = @a::@"b c", arr = [1, [2.0, "x"], {}],
  dict = {x = unit, "y z" = @f}, d1 = dense<1.0> : tensor<2x2xf32>, d2 = dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>,
  d3 = dense<"0x0000803F"> : tensor<1xf32>, d4 = dense<[true, false]> : tensor<2xi1>, d5 = dense<> : tensor<0xf32>,
  d6 = dense<[0x7FC00000, -1.0]> : tensor<2xf32>,
  l1 = loc(unknown), l2 = loc("f"("g":1:2)), l3 = loc(callsite("a" at "b":3:4)), l4 = loc(fused["x", unknown]),
  da = #d.a<1, 2 : i32, f32, kw, "s", [1], #d.b, !d.t<3>, tensor<2xf32>, true>, dt = !d.t
} : () -> ()
