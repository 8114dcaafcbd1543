"""ONNX Runtime, inference only: the lecture's class in eval mode, loaded
with cnnc's weights, exported by torch.onnx.export for the batch's static
shape, and run by an InferenceSession on the CPU execution provider with
every graph optimization on (ORT_ENABLE_ALL: batchnorm folded into the
convolutions, activations fused, layouts chosen).
Threads: SessionOptions.intra_op_num_threads = threads (the calling thread
included), inter_op_num_threads = 1, sequential execution."""
import os

import onnxruntime as ort
import torch

from common import lecture_module, load, model_kwargs


class OnnxRuntime:
    name = "ONNX Runtime"
    modes = ("infer",)

    def __init__(self, case):
        lecture = lecture_module()
        state = {k: torch.from_numpy(v.copy()) for k, v in load(case["weights"]).items()}
        model = lecture.MODELS[case["model"]](**model_kwargs(case))
        model.load_state_dict(state, strict=True)
        model.eval()
        batch = load(case["batch"])
        self.x = batch["input"]
        path = os.path.join(case["workdir"], "model.onnx")
        with torch.no_grad():
            torch.onnx.export(model, (torch.from_numpy(self.x.copy()),), path,
                              input_names=["input"], output_names=["logits"],
                              dynamo=True, external_data=False, verbose=False)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = case["threads"]
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.feed = {"input": self.x}

    def infer(self):
        return self.session.run(None, self.feed)[0]

    def sync(self, _):
        pass

    def check_infer(self):
        return self.infer().copy()


PEER = OnnxRuntime
