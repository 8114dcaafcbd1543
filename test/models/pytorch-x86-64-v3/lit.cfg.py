# The PyTorch comparisons of ../pytorch once more, compiled with
# -mcpu=x86-64-v3 (AVX2 and FMA, no AVX-512: most laptops and many cloud
# machines) instead of for this machine: the same test files (their `cnnc
# %mcpu`), a suite of its own ("cnnc-x86-64-v3 :: net.test") with its own
# output directory. test/CMakeLists.txt writes its lit.site.cfg.py into the
# build tree's models/pytorch-x86-64-v3, which lit finds there while walking
# the source tree. An AVX-512 machine runs both builds (AVX-512 is a superset);
# a machine without AVX2 skips this one.
import os

lit_config.load_config(config, os.path.join(config.cnnc_src_root, "test", "lit.cfg.py"))

config.name = "cnnc-x86-64-v3"
config.test_source_root = os.path.join(config.cnnc_src_root, "test", "models", "pytorch")
config.test_exec_root = os.path.join(config.cnnc_obj_root, "test", "models", "pytorch-x86-64-v3")
config.substitutions = [(key, "-mcpu=x86-64-v3" if key == "%mcpu" else value)
                        for key, value in config.substitutions]
config.available_features.add("cnnc-x86-64-v3")
if "x86-64-v3" not in config.available_features:
    config.unsupported = True
