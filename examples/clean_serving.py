"""The same three setups, written the energy-efficient way for a 24 GB card such as the
default RTX 4090D: ecolint reports nothing here for it, nor for the other GeForce cards and
the T4.

- INT8 with llm_int8_threshold=0.0 (pure INT8, no outlier decomposition);
- NF4 only for a model well above the crossover, too large for the card in FP16;
- FP8 only with torch.compile.

On an A800 (`--gpu a800`) the 14B model fits in BF16, and the A800's own rows measured NF4
above FP16 for that size: there ECO102 reports the NF4 load.
"""

import torch
from torchao.quantization import Float8WeightOnlyConfig, quantize_
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

int8 = AutoModelForCausalLM.from_pretrained(
    "mistralai/Mistral-7B-Instruct-v0.3",
    quantization_config=BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=0.0),
)

nf4 = AutoModelForCausalLM.from_pretrained(
    "Qwen/Qwen2.5-14B-Instruct",
    quantization_config=BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
    ),
)

small = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-1.5B-Instruct", torch_dtype=torch.float16)

fp8 = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2-7B", torch_dtype=torch.bfloat16)
quantize_(fp8, Float8WeightOnlyConfig())
fp8 = torch.compile(fp8, mode="max-autotune")
