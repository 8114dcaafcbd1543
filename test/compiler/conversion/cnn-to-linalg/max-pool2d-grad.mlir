// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg | FileCheck %s

// Non-overlapping 2x2 windows over a 7x7 image (the pooling's floor leaves
// the last row and column out): the covered 6x6 viewed as windows
// [N, C, 3, 2, 3, 2], reduced over each window's (i, j) for the maximum,
// then for a code with bit 2^(3 − (2i + j)) set where an element equals the
// maximum or is NaN (exponent 127 + 3 − position, shifted into a float);
// dx takes dy where 3 − ⌊log2 code⌋ (exponent − 127) is the element's
// position 2i + j: the first maximum, as PyTorch routes ties. Whole rows of
// dx, no strided slices; the left-out row and column padded with zeros.
// The numerics against PyTorch: test/models/pytorch (net_depth pools 7 to 3;
// after relu, windows of tied zeros are common).
// CHECK-DAG: #[[WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d3, d5)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[PER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4)>
// CHECK-LABEL: func.func @windows
// CHECK: %[[X:.+]] = bufferization.to_tensor %arg1
// CHECK: %[[DY:.+]] = bufferization.to_tensor %arg2
// CHECK: %[[COVER:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [%{{.+}}, 8, 6, 6] [1, 1, 1, 1]
// CHECK: %[[X6:.+]] = tensor.expand_shape %[[COVER]] {{\[}}[0], [1], [2, 3], [4, 5]] output_shape [%{{.+}}, 8, 3, 2, 3, 2]
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[LOW:.+]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[WIN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[X6]] : tensor<?x8x3x2x3x2xf32>) outs(%[[LOW]] : tensor<?x8x3x3xf32>)
// CHECK:   arith.maximumf
// CHECK: %[[CODE:.+]] = linalg.generic {indexing_maps = [#[[WIN]], #[[OUT]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[X6]], %[[MAX]] : tensor<?x8x3x2x3x2xf32>, tensor<?x8x3x3xf32>)
// CHECK:   ^bb0(%[[V:.+]]: f32, %[[M:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:   %[[J:.+]] = linalg.index 5 : index
// CHECK:   %[[I:.+]] = linalg.index 4 : index
// CHECK:   %[[I2:.+]] = arith.muli %[[I]], %[[C2:.+]] : index
// CHECK:   %[[POS:.+]] = arith.addi %[[I2]], %[[J]] : index
// CHECK:   %[[C130:.+]] = arith.constant 130 : index
// CHECK:   %[[E:.+]] = arith.subi %[[C130]], %[[POS]] : index
// CHECK:   %[[C23:.+]] = arith.constant 23 : i32
// CHECK:   %[[E32:.+]] = arith.index_cast %[[E]] : index to i32
// CHECK:   %[[BITS:.+]] = arith.shli %[[E32]], %[[C23]] : i32
// CHECK:   %[[BIT:.+]] = arith.bitcast %[[BITS]] : i32 to f32
// CHECK:   %[[NAN:.+]] = arith.cmpf uno, %[[V]], %[[V]] : f32
// CHECK:   %[[EQ:.+]] = arith.cmpf oeq, %[[V]], %[[M]] : f32
// CHECK:   %[[HIT:.+]] = arith.ori %[[EQ]], %[[NAN]] : i1
// CHECK:   %[[TERM:.+]] = arith.select %[[HIT]], %[[BIT]], %{{.+}} : f32
// CHECK:   arith.addf %[[ACC]], %[[TERM]] : f32
// CHECK: %[[DX6:.+]] = linalg.generic {indexing_maps = [#[[PER]], #[[PER]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[CODE]], %[[DY]] : tensor<?x8x3x3xf32>, tensor<?x8x3x3xf32>) outs(%{{.+}} : tensor<?x8x3x2x3x2xf32>)
// CHECK:   ^bb0(%[[CV:.+]]: f32, %[[G:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[RAW:.+]] = arith.bitcast %[[CV]] : f32 to i32
// CHECK:   %[[EXP:.+]] = arith.shrui %[[RAW]], %{{.+}} : i32
// CHECK:   %[[FIRST:.+]] = arith.subi %{{.+}}, %[[EXP]] : i32
// CHECK:   %[[WJ:.+]] = linalg.index 5 : index
// CHECK:   %[[WI:.+]] = linalg.index 3 : index
// CHECK:   %[[WI2:.+]] = arith.muli %[[WI]], %{{.+}} : index
// CHECK:   %[[WPOS:.+]] = arith.addi %[[WI2]], %[[WJ]] : index
// CHECK:   %[[WPOS32:.+]] = arith.index_cast %[[WPOS]] : index to i32
// CHECK:   %[[ISFIRST:.+]] = arith.cmpi eq, %[[FIRST]], %[[WPOS32]] : i32
// CHECK:   arith.select %[[ISFIRST]], %[[G]], %{{.+}} : f32
// CHECK: %[[DX:.+]] = tensor.collapse_shape %[[DX6]] {{\[}}[0], [1], [2, 3], [4, 5]] : tensor<?x8x3x2x3x2xf32> into tensor<?x8x6x6xf32>
// CHECK: tensor.pad %[[DX]] low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: } : tensor<?x8x6x6xf32> to tensor<?x8x7x7xf32>
module attributes {cnn.mode = "train"} {
func.func @windows(%x: tensor<?x8x7x7xf32>, %dy: tensor<?x8x3x3xf32>) -> tensor<?x8x7x7xf32> {
  %0 = cnn.max_pool2d_grad %x, %dy kernel [2, 2] stride [2, 2] : tensor<?x8x7x7xf32>, tensor<?x8x3x3xf32>
  return %0 : tensor<?x8x7x7xf32>
}
}
