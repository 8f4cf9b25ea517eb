"""Chat on one GPU, exported from a fine-tuning notebook: the training-time settings came along.

The training cells (Trainer, gradient checkpointing) were left behind, so these settings now
only slow generation down.
"""

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"

tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
model = AutoModelForCausalLM.from_pretrained(
    MODEL_ID,
    torch_dtype=torch.float32,  # expect: ECO403
    attn_implementation="eager",  # expect: ECO402
    device_map="auto",
)


def answer(question: str) -> str:
    inputs = tokenizer(question, return_tensors="pt").to(model.device)
    output = model.generate(**inputs, max_new_tokens=256, use_cache=False)  # expect: ECO401
    return tokenizer.decode(output[0], skip_special_tokens=True)
