"""Minimal text-generation server for Yi-1.5-6B in 8-bit.

Run: python serve_int8.py --model-id 01-ai/Yi-1.5-6B-Chat --port 8000
"""

import argparse
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-id", default="01-ai/Yi-1.5-6B-Chat")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument("--int8-threshold", type=float, default=6.0,
                        help="LLM.int8() outlier threshold")
    return parser.parse_args()


ARGS = parse_args()

quant_config = BitsAndBytesConfig(
    load_in_8bit=True,  # expect: ECO101
    llm_int8_threshold=ARGS.int8_threshold,
)
tokenizer = AutoTokenizer.from_pretrained(ARGS.model_id)
model = AutoModelForCausalLM.from_pretrained(
    ARGS.model_id,
    quantization_config=quant_config,
    device_map="auto",
    torch_dtype=torch.float16,
)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        inputs = tokenizer(body["prompt"], return_tensors="pt").to(model.device)
        output = model.generate(**inputs, max_new_tokens=ARGS.max_new_tokens)
        text = tokenizer.decode(output[0], skip_special_tokens=True)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(json.dumps({"text": text}).encode())


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", ARGS.port), Handler).serve_forever()
