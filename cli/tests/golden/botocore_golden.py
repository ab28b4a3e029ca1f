"""Print the request botocore builds for each dry-run golden case, as the JSON `sansboto
--dry-run` prints: {"method", "url", "headers": [[name, value], ...], "body_base64"}.

Run through scripts/botocore-golden (which makes the pinned botocore venv). Each case is written
to cli/tests/golden/<name>.json with the parameters in the command's JSON form, so the CLI test
replays exactly the same call.

How the request is captured: a `before-send` handler (botocore's last hook before the HTTP
layer) records the prepared, signed request and raises, so nothing is sent. The signing clock is
frozen at SIGNING_TIME by replacing botocore.auth.get_current_datetime. botocore's
`add_retry_headers` handler is unregistered: it adds the per-attempt headers
`amz-sdk-invocation-id` (random) and `amz-sdk-request` before signing, and sansboto adds them per
attempt after signing (a documented difference), so neither side signs them here.
"""

import base64
import datetime
import json
import os
import sys

SIGNING_TIME = datetime.datetime(2024, 1, 1, 0, 0, 0)
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

# (name, service, operation, region, params in the CLI's JSON form)
CASES = [
    ("s3-put-object", "s3", "PutObject", "us-east-1",
     {"Bucket": "amzn-s3-demo-bucket", "Key": "hello.txt", "Body": "Hello, world!",
      "ContentType": "text/plain", "Metadata": {"color": "blue"}}),
    ("dynamodb-put-item", "dynamodb", "PutItem", "us-west-2",
     {"TableName": "Music",
      "Item": {"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"},
               "Year": {"N": "2024"}, "Cover": {"B": {"base64": "AAECAw=="}}},
      "ConditionExpression": "attribute_not_exists(Artist)"}),
    ("sqs-send-message", "sqs", "SendMessage", "eu-west-1",
     {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/my-queue",
      "MessageBody": "hello from the golden test", "DelaySeconds": 5,
      "MessageAttributes": {"Kind": {"DataType": "String", "StringValue": "greeting"}}}),
    ("ec2-describe-instances", "ec2", "DescribeInstances", "us-east-2",
     {"InstanceIds": ["i-1234567890abcdef0"],
      "Filters": [{"Name": "instance-state-name", "Values": ["running", "stopped"]}]}),
    ("lambda-invoke", "lambda", "Invoke", "ap-southeast-2",
     {"FunctionName": "my-function", "InvocationType": "RequestResponse",
      "LogType": "Tail", "Payload": "{\"key\": \"value\"}"}),
]


class Captured(Exception):
    """Raised from before-send to stop the call once the request is known."""

    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def to_botocore(shape, value):
    """The CLI's JSON parameters as botocore values (blobs: UTF-8 text or {"base64": ...})."""
    if shape is None:
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: to_botocore(shape.members.get(k), v) for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [to_botocore(shape.member, v) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: to_botocore(shape.value, v) for k, v in value.items()}
    if shape.type_name == "blob":
        if isinstance(value, dict) and set(value) == {"base64"}:
            return base64.b64decode(value["base64"])
        if isinstance(value, str):
            return value.encode("utf-8")
    return value


def body_bytes(body):
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if hasattr(body, "read"):
        return body.read()
    raise TypeError(f"unexpected body type {type(body)!r}")


def capture(session, service, operation, region, params):
    import botocore.handlers

    client = session.create_client(service, region_name=region)
    client.meta.events.unregister("request-created", botocore.handlers.add_retry_headers)

    def stop(request, **kwargs):
        raise Captured(request)

    client.meta.events.register("before-send", stop)
    op_model = client.meta.service_model.operation_model(operation)
    method = getattr(client, client.meta.method_to_api_mapping and
                     {v: k for k, v in client.meta.method_to_api_mapping.items()}[operation])
    try:
        method(**to_botocore(op_model.input_shape, params))
    except Captured as c:
        req = c.request
        return {
            "method": req.method,
            "url": req.url,
            "headers": [[k, v.decode("utf-8") if isinstance(v, bytes) else v]
                        for k, v in req.headers.items()],
            "body_base64": base64.b64encode(body_bytes(req.body)).decode("ascii"),
        }
    raise RuntimeError(f"{service}.{operation} finished without sending")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    # A clean, fixed configuration: keys from the environment, no files, no IMDS.
    for k in list(os.environ):
        if k.startswith("AWS_"):
            del os.environ[k]
    os.environ.update({
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    import botocore
    import botocore.auth
    import botocore.session

    if botocore.__version__ != "1.44.5":
        sys.exit(f"botocore {botocore.__version__} found; the goldens are made with 1.44.5")
    botocore.auth.get_current_datetime = lambda remove_tzinfo=True: SIGNING_TIME
    session = botocore.session.get_session()
    for name, service, operation, region, params in CASES:
        request = capture(session, service, operation, region, params)
        golden = {
            "botocore_version": botocore.__version__,
            "signing_time": SIGNING_TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "service": service,
            "operation": operation,
            "region": region,
            "params": params,
            "request": request,
        }
        path = os.path.join(out_dir, f"{name}.json")
        with open(path, "w") as f:
            json.dump(golden, f, indent=2)
            f.write("\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
