"""Summarisation microservice: FastAPI in front of a Hugging Face pipeline."""

from fastapi import FastAPI
from pydantic import BaseModel
from transformers import pipeline

MODEL_ID = "Qwen/Qwen2.5-1.5B-Instruct"
app = FastAPI(title="summaries")


class SummaryRequest(BaseModel):
    texts: list[str]
    max_new_tokens: int = 128


@app.post("/summarise")
def summarise(request: SummaryRequest) -> list[str]:
    # Loaded here "to keep start-up fast": every request now reloads the weights.
    summariser = pipeline("text-generation", model=MODEL_ID, torch_dtype="auto", device_map="auto")  # expect: ECO404
    prompts = [f"Summarise in two sentences:\n\n{text}" for text in request.texts]
    outputs = summariser(prompts, max_new_tokens=request.max_new_tokens, batch_size=1)  # expect: ECO201
    return [output[0]["generated_text"] for output in outputs]
