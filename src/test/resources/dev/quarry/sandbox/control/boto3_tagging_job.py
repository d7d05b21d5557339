"""Drives the sandbox's S3 Control endpoint with boto3, as any S3 Batch Operations tool would.

Usage: boto3_tagging_job.py URL ACCOUNT BUCKET MANIFEST_KEY MANIFEST_ETAG
Creates a put-tagging job over the manifest, waits for it to end, prints the job as JSON.
"""
import json
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import boto3

url, account, bucket, manifest_key, etag = sys.argv[1:6]
client = boto3.client(
    "s3control",
    endpoint_url=url,
    region_name="us-east-1",
    aws_access_key_id="quarry",
    aws_secret_access_key="quarry",
)


def strip_account_prefix(request, **kwargs):
    # botocore puts "<account>." in front of the endpoint's host; the account id also travels
    # in the x-amz-account-id header, which is what the endpoint reads
    parts = urlsplit(request.url)
    prefix = request.headers.get("x-amz-account-id", "") + "."
    if parts.netloc.startswith(prefix):
        request.url = urlunsplit(parts._replace(netloc=parts.netloc[len(prefix):]))


client.meta.events.register("before-sign.s3-control.*", strip_account_prefix)

created = client.create_job(
    AccountId=account,
    ConfirmationRequired=False,
    Operation={"S3PutObjectTagging": {"TagSet": [{"Key": "via", "Value": "boto3"}]}},
    Report={"Enabled": False},
    ClientRequestToken="boto3-tagging-job",
    Manifest={
        "Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
        "Location": {"ObjectArn": f"arn:aws:s3:::{bucket}/{manifest_key}", "ETag": etag},
    },
    Priority=10,
    RoleArn=f"arn:aws:iam::{account}:role/quarry-batch-operations",
    Description="tagged by boto3",
)
job_id = created["JobId"]
deadline = time.time() + 60
while True:
    job = client.describe_job(AccountId=account, JobId=job_id)["Job"]
    if job["Status"] in ("Complete", "Failed", "Cancelled") or time.time() > deadline:
        break
    time.sleep(0.2)
listed = client.list_jobs(AccountId=account, JobStatuses=["Complete"])["Jobs"]
print(
    json.dumps(
        {
            "jobId": job_id,
            "status": job["Status"],
            "description": job["Description"],
            "progress": job["ProgressSummary"],
            "listedComplete": [j["JobId"] for j in listed],
        }
    )
)
