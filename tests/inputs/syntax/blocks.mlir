func.func @cfg(%arg0: i1, %arg1: i32) -> i32 {
  "d.cond_br"(%arg0, %arg1)[^bb1, ^exit] : (i1, i32) -> ()
^bb1:
  "d.br"(%arg1)[^exit] : (i32) -> ()
^exit(%v: i32):
  func.return %v : i32
}
"d.graph"() ({
  "d.use"(%later) : (i32) -> ()
  %later = "d.def"() : () -> i32
}, {
  %later = "d.def"() : () -> i32
}) : () -> ()
