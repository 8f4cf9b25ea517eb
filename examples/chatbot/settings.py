"""Settings of the chatbot service, overridable through the environment."""

import os

from transformers import BitsAndBytesConfig

MODEL_ID = os.environ.get("CHATBOT_MODEL", "TinyLlama/TinyLlama-1.1B-Chat-v1.0")
MAX_NEW_TOKENS = int(os.environ.get("CHATBOT_MAX_NEW_TOKENS", "256"))

# 4-bit to fit several replicas on one card.
QUANTIZATION = BitsAndBytesConfig(
    load_in_4bit=True,  # expect: ECO102, ECO405
    bnb_4bit_quant_type="nf4",
)
