"""A small Functions app used only by the local host's tests. Each function records what it saw."""

from __future__ import annotations

import asyncio
import json
import threading

import azure.functions as func
from azure.functions.timer import TimerRequest  # the worker's concrete type, with schedule_status

from tests.integration.host.recorder import RECORDER

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)  # auth is ignored locally


def _queue_observation(msg: func.QueueMessage) -> dict[str, object]:
    return {
        "id": msg.id,
        "body": msg.get_body().decode("utf-8"),
        "dequeue_count": msg.dequeue_count,
        "insertion_time": msg.insertion_time,
        "expiration_time": msg.expiration_time,
        "time_next_visible": msg.time_next_visible,
        "pop_receipt": msg.pop_receipt,
    }


@app.queue_trigger(arg_name="msg", queue_name="%FAILING_QUEUE%", connection="AzureWebJobsStorage")
def always_fails(msg: func.QueueMessage) -> None:
    RECORDER.record("always_fails", **_queue_observation(msg))
    raise ValueError("always fails")


@app.queue_trigger(arg_name="msg", queue_name="%ECHO_QUEUE%", connection="")
async def echo_queue(msg: func.QueueMessage) -> None:
    RECORDER.record("echo_queue", **_queue_observation(msg))


# "Storage" resolves as AzureWebJobsStorage: the host looks up "AzureWebJobs<name>" first.
@app.queue_trigger(arg_name="msg", queue_name="%FANOUT_QUEUE%", connection="Storage")
@app.queue_output(arg_name="out", queue_name="%OUT_QUEUE%", connection="Storage")
def fanout(msg: func.QueueMessage, out: func.Out[list[str]]) -> None:
    payload = msg.get_json()
    out.set(payload["items"])
    RECORDER.record("fanout", **payload)
    if payload["fail"]:
        raise RuntimeError("failed after setting the output")


@app.queue_trigger(arg_name="msg", queue_name="%RETURNS_QUEUE%", connection="")
def returns_value(msg: func.QueueMessage) -> str:
    RECORDER.record("returns_value", **_queue_observation(msg))
    return "a value with nowhere to go"  # no $return binding: the invocation fails


@app.timer_trigger(schedule="%YEARLY_SCHEDULE%", arg_name="timer", run_on_startup=True)
def yearly_timer(timer: TimerRequest, context: func.Context) -> None:
    RECORDER.record(
        "yearly_timer",
        past_due=timer.past_due,
        schedule_status=timer.schedule_status,
        invocation_id=context.invocation_id,
    )


def _route_params(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(dict(req.route_params)), mimetype="application/json")


@app.route(route="items/{id:int}", methods=["GET"])
def get_item(req: func.HttpRequest) -> func.HttpResponse:
    return _route_params(req)


@app.route(route="items/new", methods=["GET"])
def new_item(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("the literal route wins", status_code=201)


@app.route(route="products/{category:alpha}/{id:int?}", methods=["GET"])
def products(req: func.HttpRequest) -> func.HttpResponse:
    return _route_params(req)


@app.route(route="codes/{code:length(3)}/{flag:bool}/{uid:guid}", methods=["GET"])
def codes(req: func.HttpRequest) -> func.HttpResponse:
    return _route_params(req)


@app.route(route="files/{*path}", methods=["GET"])
def files(req: func.HttpRequest) -> func.HttpResponse:
    return _route_params(req)


@app.route(route="echo", methods=["POST", "PUT"])
async def echo(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps(
            {
                "method": req.method,
                "url": req.url,
                "body": req.get_body().decode("utf-8"),
                "headers": dict(req.headers),
                "params": dict(req.params),
            }
        ),
        mimetype="application/json",
    )


@app.route(route="hello", methods=["GET"])
def sync_hello(req: func.HttpRequest) -> str:
    RECORDER.record("sync_hello", thread=threading.current_thread().name)
    return f"hello {req.params.get('name', 'world')}"


@app.route(route="hello-async", methods=["GET"])
async def async_hello(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
    RECORDER.record("async_hello", thread=threading.current_thread().name)
    body = {"invocation_id": context.invocation_id, "function_name": context.function_name}
    return func.HttpResponse(json.dumps(body), status_code=200, mimetype="application/json")


@app.route(route="slow", methods=["GET"])
async def slow(req: func.HttpRequest) -> func.HttpResponse:
    await asyncio.sleep(5)  # functionTimeout in this app's host.json is 1 s
    RECORDER.record("slow", finished=True)
    return func.HttpResponse("too late")


@app.route(route="boom", methods=["GET"])
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("personal data that must never reach a log line")
