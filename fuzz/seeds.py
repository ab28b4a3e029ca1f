#!/usr/bin/env python3
"""Write a few hand-made seed inputs into fuzz/corpus/<target>/ (kept out of git).

Response targets read: byte 0 = operation index, bytes 1-2 = status selector (0 = 200,
else 100 + n % 500), then `name: value` header lines, an empty line, and the body.
"""
import json
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def response(op, status, headers, body):
    if isinstance(body, str):
        body = body.encode()
    sel = 0 if status == 200 else (status - 100)
    head = "".join(f"{k}: {v}\n" for k, v in headers).encode()
    return bytes([op]) + struct.pack(">H", sel) + head + b"\n\n" + body


S3_ERROR = '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>r</RequestId><HostId>h</HostId></Error>'
LIST = ('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        '<Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>'
        '<Contents><Key>a&amp;b</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;x&quot;</ETag>'
        '<Size>3</Size><StorageClass>STANDARD</StorageClass><Owner><ID>o</ID></Owner></Contents>'
        '<CommonPrefixes><Prefix>p/q/</Prefix></CommonPrefixes></ListBucketResult>')
xml = [
    response(0, 200, [("x-amz-request-id", "r")], LIST),
    response(1, 200, [("etag", '"e"'), ("last-modified", "Wed, 12 Oct 2009 17:50:00 GMT"),
                      ("x-amz-meta-owner", "me"), ("content-length", "5")], "hello"),
    response(2, 404, [], ""),
    response(1, 404, [("x-amz-request-id", "r")], S3_ERROR),
    response(5, 200, [], '<CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket><Key>k</Key><ETag>e</ETag></CompleteMultipartUploadResult>'),
    response(5, 200, [], S3_ERROR),
    response(7, 200, [], '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>'),
    response(4, 200, [], '<AccessControlPolicy><Owner><ID>i</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>i</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>'),
    response(10, 200, [], '<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>2024-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>'),
    response(10, 403, [], '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>r</RequestId></ErrorResponse>'),
    response(12, 200, [], '<ListUsersResponse><ListUsersResult><Users><member><UserName>u</UserName><CreateDate>2024-01-01T00:00:00Z</CreateDate></member></Users><IsTruncated>false</IsTruncated></ListUsersResult></ListUsersResponse>'),
    response(14, 200, [], '<DescribeInstancesResponse><requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId><instancesSet><item><instanceId>i-1</instanceId><instanceState><code>16</code><name>running</name></instanceState><tagSet><item><key>k</key><value>v</value></item></tagSet></item></instancesSet></item></reservationSet></DescribeInstancesResponse>'),
    response(14, 400, [], '<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>m</Message></Error></Errors><RequestID>r</RequestID></Response>'),
]
for i, d in enumerate(xml):
    write("parse_xml", f"seed-{i}", d)

# client_parse_s3: operation indexes are its own list (0 ListObjectsV2, 1 ListObjects, 2 GetObject,
# 3 HeadObject, 4 CopyObject, 5 CompleteMultipartUpload, 6 DeleteObjects, 7 GetBucketLocation,
# 8 ListBuckets, 9 UploadPartCopy).
client_s3 = [
    response(0, 200, [("x-amz-request-id", "r")], LIST),
    response(1, 200, [], LIST.replace("<KeyCount>2</KeyCount>", "<EncodingType>url</EncodingType>")),
    response(4, 200, [], '<CopyObjectResult><ETag>&quot;e&quot;</ETag><LastModified>2024-01-01T00:00:00Z</LastModified></CopyObjectResult>'),
    response(4, 200, [], S3_ERROR),
    response(5, 200, [], '<CompleteMultipartUploadResult><Location>l</Location><Bucket>b'),
    response(5, 200, [], '<CompleteMultipartUploadResult/>junk'),
    response(7, 200, [], '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>'),
    response(3, 200, [("expires", "never"), ("x-amz-meta-a", "b")], ""),
    response(2, 200, [("x-amz-checksum-crc32", "AAAAAA=="), ("content-length", "5")], "hello"),
]
for i, d in enumerate(client_s3):
    write("client_parse_s3", f"seed-{i}", d)

jsn = [
    response(0, 200, [("x-amzn-requestid", "r"), ("x-amz-crc32", "0")], json.dumps({"Item": {"a": {"S": "x"}, "b": {"N": "1"}, "c": {"L": [{"BOOL": True}, {"NULL": True}]}, "d": {"M": {"e": {"B": "aGk="}}}, "f": {"SS": ["a"]}}})),
    response(1, 200, [], json.dumps({"Items": [{"a": {"S": "x"}}], "Count": 1, "LastEvaluatedKey": {"a": {"S": "x"}}})),
    response(0, 400, [], json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "nope"})),
    response(4, 200, [], json.dumps({"Messages": [{"MessageId": "m", "Body": "b", "Attributes": {"SentTimestamp": "1"}, "MessageAttributes": {"k": {"DataType": "Binary", "BinaryValue": "aGk="}}}]})),
    response(5, 400, [("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")], json.dumps({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "m"})),
    response(6, 200, [("x-amz-function-error", "Unhandled"), ("x-amz-log-result", "bG9n"), ("x-amz-executed-version", "1")], '{"errorMessage":"boom"}'),
    response(7, 200, [], json.dumps({"Functions": [{"FunctionName": "f", "LastModified": "2024-01-01T00:00:00.000+0000", "Timeout": 3, "MemorySize": 128}], "NextMarker": "n"})),
    response(8, 404, [("x-amzn-errortype", "ResourceNotFoundException:http://internal")], json.dumps({"Type": "User", "Message": "m"})),
]
for i, d in enumerate(jsn):
    write("parse_json", f"seed-{i}", d)


def cbor_head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    if n < 65536:
        return bytes([major << 5 | 25]) + struct.pack(">H", n)
    return bytes([major << 5 | 26]) + struct.pack(">I", n)


def cbor(v):
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, int):
        return cbor_head(0, v) if v >= 0 else cbor_head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, str):
        b = v.encode()
        return cbor_head(3, len(b)) + b
    if isinstance(v, bytes):
        return cbor_head(2, len(v)) + v
    if isinstance(v, list):
        return cbor_head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        return cbor_head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
    if isinstance(v, tuple) and v[0] == "tag":
        return cbor_head(6, v[1]) + cbor(v[2])
    raise TypeError(v)


cb = [
    response(0, 200, [], cbor({"MetricDataResults": [{"Id": "m", "Label": "l", "Timestamps": [("tag", 1, 1700000000.5)], "Values": [1.5, 2.0], "StatusCode": "Complete"}], "NextToken": "t"})),
    response(1, 200, [], cbor({"MetricAlarms": [{"AlarmName": "a", "Threshold": 1.0, "Dimensions": [{"Name": "n", "Value": "v"}], "StateUpdatedTimestamp": ("tag", 1, 1700000000)}]})),
    response(2, 200, [], cbor({"Metrics": [{"Namespace": "AWS/EC2", "MetricName": "CPU"}]})),
    response(0, 400, [], cbor({"__type": "com.amazonaws.cloudwatch#InvalidNextToken", "message": "m"})),
    response(0, 200, [], b"\xbf\x61a\x9f\x01\x02\xff\x62bb\x5f\x41x\xff\xff"),
]
for i, d in enumerate(cb):
    write("parse_cbor", f"seed-{i}", d)

ser = [
    (0, {"Bucket": "b", "Key": "k/ey", "Body": "hello", "Metadata": {"a": "b"}, "ContentType": "text/plain"}),
    (1, {"Bucket": "b", "Prefix": "p/", "MaxKeys": 10}),
    (2, {"Bucket": "b", "Key": "k", "UploadId": "u", "MultipartUpload": {"Parts": [{"ETag": "e", "PartNumber": 1}]}}),
    (3, {"Bucket": "b", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b"}], "Quiet": True}}),
    (4, {"Bucket": "b", "Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]}}),
    (5, {"Bucket": "b", "Key": "k", "CopySource": "src/key?versionId=1"}),
    (6, {"TableName": "t", "Item": {"a": {"S": "x"}, "n": {"N": "1"}, "b": {"B": "aGk="}}}),
    (7, {"TableName": "t", "KeyConditionExpression": "a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}}),
    (8, {"QueueUrl": "https://sqs.us-west-2.amazonaws.com/1/q", "MessageBody": "hi", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}),
    (9, {"QueueUrl": "https://q", "Entries": [{"Id": "1", "MessageBody": "b"}]}),
    (10, {"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1, "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "k", "Value": "v"}]}]}),
    (11, {"InstanceIds": ["i-1"], "Filters": [{"Name": "n", "Values": ["v"]}]}),
    (12, {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s", "DurationSeconds": 900}),
    (13, {"FunctionName": "f", "Payload": "{}", "InvocationType": "Event"}),
    (14, {"FunctionName": "f", "Role": "arn:aws:iam::1:role/r", "Code": {"ZipFile": "aGk="}, "Timeout": 3}),
    (15, {"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": 1.5, "Timestamp": 1700000000, "Dimensions": [{"Name": "a", "Value": "b"}]}]}),
]
for i, (op, params) in enumerate(ser):
    write("serialize", f"seed-{i}", bytes([op]) + json.dumps(params).encode())

jm = [
    "Reservations[].Instances[].State.Name",
    "length(Contents[?Size > `2`]) == `1`",
    "Contents[*].{k: Key, s: Size} | sort_by(@, &s)[0]",
    "contains(Reservations[].Instances[].State.Name, 'running') && !IsTruncated",
    "max_by(Contents, &Size).Key || Next",
    "Reservations[0].Instances[-1:].Tags[?Key=='a'].Value | [0]",
    "to_string(n) | starts_with(@, '1')",
]
for i, e in enumerate(jm):
    write("jmespath", f"seed-{i}", e.encode() + b"\0" + json.dumps({"a": [1, {"b": None}], "c": "d"}).encode())


def frame(headers, payload):
    hb = b""
    for name, value in headers:
        n = name.encode()
        v = value.encode()
        hb += bytes([len(n)]) + n + b"\x07" + struct.pack(">H", len(v)) + v
    total = 12 + len(hb) + len(payload) + 4
    # CRCs are zero: the target's fix_crcs mode corrects them.
    return struct.pack(">II", total, len(hb)) + b"\0\0\0\0" + hb + payload + b"\0\0\0\0"


stream = (frame([(":message-type", "event"), (":event-type", "Records"), (":content-type", "application/octet-stream")], b"a,b\n")
          + frame([(":message-type", "event"), (":event-type", "Stats")], b"<Stats><BytesScanned>1</BytesScanned><BytesProcessed>1</BytesProcessed><BytesReturned>1</BytesReturned></Stats>")
          + frame([(":message-type", "error"), (":error-code", "E"), (":error-message", "m")], b"")
          + frame([(":message-type", "event"), (":event-type", "End")], b""))
# Arbitrary's layout: bools are one byte each (low bit), the Vec<u8> of chunk sizes is sized
# from the end of the input, the final Vec<u8> takes the rest.
write("eventstream", "seed-0", b"\x01\x00" + stream)
write("eventstream", "seed-1", b"\x01\x01" + stream)
write("endpoint", "seed-0", b"\x00" * 8 + b"my-bucket" + b"\x01" * 8)
