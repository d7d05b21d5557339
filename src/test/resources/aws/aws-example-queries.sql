-- AWS-documented example SQL for Amazon S3 Metadata tables (journal / inventory), verbatim.
-- Each entry: "-- name:", "-- source:", optional "-- needs:" / "-- note:" lines, the SQL, then a line with only ";;".
-- Placeholders are kept as AWS renders them (b_general-purpose-bucket-name, amzn-s3-demo-bucket, ...).
-- Text retrieved from the official pages (docs.aws.amazon.com / docs.amazonaws.cn .md mirrors) and, for the
-- parts that search excerpts truncate, from two crawled copies of the same pages on GitHub
-- (c2hans/aws-docs @63cf41d661d6, crowecawcaw/aws-docs-history @0ca007cfe3d7); the two agree wherever both have a query.

-- name: journal-objects-by-file-extension
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-object-pattern
SELECT key FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."journal"
WHERE key LIKE '%.jpg'
AND record_type = 'CREATE'
;;

-- name: journal-object-deletions
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-delete-events
SELECT DISTINCT bucket, key, sequence_number, record_type, record_timestamp, requester, source_ip_address, version_id
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."journal"
WHERE record_type = 'DELETE';
;;

-- name: journal-kms-keys-used
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-objects-using-kms-key
SELECT DISTINCT kms_key_arn
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."journal";
;;

-- name: journal-objects-not-using-kms-keys
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-objects-not-using-kms-key
SELECT DISTINCT kms_key_arn
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."journal"
WHERE encryption_status NOT IN ('SSE-KMS', 'DSSE-KMS')
AND record_type = 'CREATE';
;;

-- name: journal-kms-keys-for-puts-last-7-days
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-objects-using-kms-key-puts
SELECT DISTINCT kms_key_arn
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."journal"
WHERE record_timestamp > (current_date - interval '7' day)
AND kms_key_arn is NOT NULL;
;;

-- name: journal-lifecycle-deletes-last-24-hours
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-objects-deleted-lifecycle
SELECT bucket, key, version_id, last_modified_date, record_timestamp, requester
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."journal"
WHERE requester = 's3.amazonaws.com'
AND record_type = 'DELETE'
AND record_timestamp > (current_date - interval '1' day)
;;

-- name: journal-bedrock-metadata
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-bedrock
SELECT DISTINCT bucket, key, sequence_number, record_type, record_timestamp, user_metadata
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."journal"
WHERE record_type = 'CREATE'
AND user_metadata['content-source'] = 'AmazonBedrock';
;;

-- name: journal-current-state-of-objects
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-current-state
-- note: PARTITION BY uses parenthesised lists, e.g. partition by (bucket, key, coalesce(version_id, '')), exactly as documented.
WITH records_of_interest as (
   -- Start with a query that can narrow down the records of interest.
    SELECT * from "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."journal"
),

version_stacks as (
   SELECT *,
          -- Introduce a column called 'next_sequence_number', which is the next larger
          -- sequence_number for the same key version_id in sorted order.
          LEAD(sequence_number, 1) over (partition by (bucket, key, coalesce(version_id, '')) order by sequence_number ASC) as next_sequence_number
   from records_of_interest
),

-- Pick the 'tip' of each version stack triple: (bucket, key, version_id).
-- The tip of the version stack is the row of that triple with the largest sequencer.
-- Selecting only the tip filters out any row duplicates.
-- This isn't typical, but some events can be delivered more than once to the table
-- and include rows that might no longer exist in the bucket (since the
-- table contains rows for both extant and extinct objects).
-- In the next subquery, eliminate the rows that contain deleted objects.
current_versions as (
    SELECT * from version_stacks where next_sequence_number is NULL
),

-- Eliminate the rows that are extinct from the bucket by filtering with
-- record_type. An object version has been deleted from the bucket if its tip is
-- record_type==DELETE.
existing_current_versions as (
    SELECT * from current_versions where not (record_type = 'DELETE' and is_delete_marker = FALSE)
),

-- Optionally, to determine which of several object versions is the 'latest',
-- you can compare their sequence numbers. A version_id is the latest if its
-- tip's sequencer is the largest among all other tips in the same key.
with_is_latest as (
    SELECT *,
           -- Determine if the sequence_number of this row is the same as the largest sequencer for the key that still exists.
           sequence_number = (MAX(sequence_number) over (partition by (bucket, key))) as is_latest_version
    FROM existing_current_versions
)

SELECT * from with_is_latest
ORDER BY bucket, key, sequence_number;
;;

-- name: inventory-datasets-with-specific-tags
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-datasets-specific-tags
SELECT *
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."inventory"
WHERE object_tags['key1'] = 'value1'
AND object_tags['key2'] = 'value2';
;;

-- name: inventory-objects-not-sse-kms-encrypted
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-objects-not-kms-encrypted
SELECT key, encryption_status
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."inventory"
WHERE encryption_status != 'SSE-KMS';
;;

-- name: inventory-objects-not-encrypted
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-objects-not-encrypted
SELECT bucket, key, version_id
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."inventory"
WHERE encryption_status IS NULL;
;;

-- name: inventory-objects-generated-by-bedrock
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-objects-generated-bedrock
SELECT DISTINCT bucket, key, sequence_number, user_metadata
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."inventory"
WHERE user_metadata['content-source'] = 'AmazonBedrock';
;;

-- name: inventory-reconcile-with-journal
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-generate-latest-inventory
-- needs: Iceberg metadata table "journal$properties" (table property aws.s3metadata.oldest-uncoalesced-record-timestamp); unqualified names journal / inventory resolved against catalog s3tablescatalog/aws-s3, database b_general-purpose-bucket-name
-- note: the older crawl (crowecawcaw/aws-docs-history) ends without the final ';'; the current page has it.
WITH inventory_time_cte AS (
    SELECT COALESCE(inventory_time_from_property, inventory_time_default) AS inventory_time FROM
    (
      SELECT * FROM
        (VALUES (TIMESTAMP '2024-12-01 00:00')) AS T (inventory_time_default)
      LEFT OUTER JOIN
        (
         SELECT from_unixtime(CAST(value AS BIGINT) / 1000.0) AS inventory_time_from_property FROM "journal$properties"
         WHERE key = 'aws.s3metadata.oldest-uncoalesced-record-timestamp' LIMIT 1
        )
      ON TRUE
    )
),

working_set AS (
    SELECT
        key,
        sequence_number,
        version_id,
        is_delete_marker,
        size,
        COALESCE(last_modified_date, record_timestamp) AS last_modified_date,
        e_tag,
        storage_class,
        object_tags,
        user_metadata,
        (record_type = 'DELETE' AND NOT COALESCE(is_delete_marker, FALSE)) AS _is_perm_delete
    FROM journal j
    CROSS JOIN inventory_time_cte t
    WHERE j.record_timestamp > (t.inventory_time - interval '15' minute)

    UNION ALL

    SELECT
        key,
        sequence_number,
        version_id,
        is_delete_marker,
        size,
        last_modified_date,
        e_tag,
        storage_class,
        object_tags,
        user_metadata,
        FALSE AS _is_perm_delete
    FROM inventory i
),

updated_inventory AS (
    SELECT * FROM (
        SELECT *,
            MAX(sequence_number) OVER (PARTITION BY key, version_id) AS _supremum_sn
        FROM working_set
    )
    WHERE sequence_number = _supremum_sn
)

SELECT
    key,
    sequence_number,
    version_id,
    is_delete_marker,
    size,
    last_modified_date,
    e_tag,
    storage_class,
    object_tags,
    user_metadata
FROM updated_inventory
-- This filter omits only permanent deletes from the results. Delete markers will still be shown.
WHERE NOT _is_perm_delete
-- You can add additional filters here. Examples:
--    AND object_tags['department'] = 'billing'
--    AND starts_with(key, 'reports/')
ORDER BY key ASC, sequence_number DESC;
;;

-- name: inventory-current-versions-ctas
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-latest-version
-- needs: writable customer-managed table bucket for CREATE TABLE ... AS output ("s3tablescatalog/amzn-s3-demo-table-bucket"."existing_namespace"."new_table"); unqualified name inventory resolved against catalog s3tablescatalog/aws-s3, database b_general-purpose-bucket-name
-- note: only in the newer crawl (c2hans/aws-docs); the source marks placeholders as {{amzn-s3-demo-table-bucket}} etc., braces removed here as the rendered page shows them.
-- note: AWS says that to run it as a plain SELECT you remove the two lines before WITH and the final ");" line.
-- If you don't want to output the results to a new table, remove the following two lines
-- (everything before the WITH clause).
CREATE TABLE "s3tablescatalog/amzn-s3-demo-table-bucket"."existing_namespace"."new_table"
as (
WITH
my_inventory AS (
  SELECT
        bucket,
        key,
        version_id,
        sequence_number,
        is_delete_marker,
        size,
        last_modified_date,
        storage_class
  FROM inventory
-- For prefix filtering, use a WHERE clause with % at the end.
--     WHERE key LIKE 'prefix%'
  ),

inventory_with_is_latest as (
SELECT *,
       ROW_NUMBER() OVER (
         PARTITION BY key
         ORDER BY sequence_number DESC
       ) = 1 AS is_latest
FROM my_inventory
    )

SELECT
        bucket,
        key,
        version_id,
        sequence_number,
        is_delete_marker,
        size,
        last_modified_date,
        storage_class,
        is_latest

FROM inventory_with_is_latest

-- If you want only the current version of each key, uncomment the following WHERE clause.
-- WHERE is_latest = TRUE
-- If you aren't outputting the results to a new table, remove the next line:
);
;;

-- name: annotation-list-for-object
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-annotation-list
-- needs: annotation table ("s3tablescatalog/aws-s3"."b_amzn-s3-demo-bucket"."annotation")
-- note: only in the newer crawl (c2hans/aws-docs); braces of the {{...}} placeholder markup removed.
SELECT name, size, last_modified_date, replication_status
FROM "s3tablescatalog/aws-s3"."b_amzn-s3-demo-bucket"."annotation"
WHERE object_key = 'documents/report.pdf'
ORDER BY name
;;

-- name: annotation-find-objects-with-annotation
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-annotation-find
-- needs: annotation table ("s3tablescatalog/aws-s3"."b_amzn-s3-demo-bucket"."annotation")
-- note: only in the newer crawl (c2hans/aws-docs); braces of the {{...}} placeholder markup removed.
SELECT object_key, object_version_id, size, last_modified_date
FROM "s3tablescatalog/aws-s3"."b_amzn-s3-demo-bucket"."annotation"
WHERE name = 'classification'
ORDER BY last_modified_date DESC
;;

-- name: annotation-join-inventory
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-example-queries.html#metadata-tables-example-query-annotation-join
-- needs: annotation table ("s3tablescatalog/aws-s3"."b_amzn-s3-demo-bucket"."annotation"); inventory column object_join_key
-- note: only in the newer crawl (c2hans/aws-docs); braces of the {{...}} placeholder markup removed.
SELECT i.key, i.storage_class, a.name, a.size, a.text_value
FROM "s3tablescatalog/aws-s3"."b_amzn-s3-demo-bucket"."inventory" i
JOIN "s3tablescatalog/aws-s3"."b_amzn-s3-demo-bucket"."annotation" a
  ON i.bucket = a.bucket
  AND i.key = a.object_key
  AND i.object_join_key = a.object_join_key
WHERE a.name = 'classification'
LIMIT 10
;;

-- name: optimize-journal-sensitivity-full-scan
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-optimizing-query-performance.html
-- note: verbatim incl. the AWS doc error: key is selected but not grouped or aggregated, so strict engines (Trino/Athena, DuckDB) reject it. Two-part name, no catalog.
SELECT key, object_tags['SensitivityLevel']
FROM "b_general-purpose-bucket-name"."journal"
WHERE record_type = 'CREATE'
GROUP BY object_tags['SensitivityLevel']
;;

-- name: optimize-journal-sensitivity-last-month
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-optimizing-query-performance.html
-- note: verbatim incl. AWS doc errors found in every copy (docs.amazonaws.cn en_us/zh .md and .html, both GitHub crawls): the FROM identifier has no opening quote (b_general-purpose-bucket-name"."aws-s3.b_general-purpose-bucket-name.journal"), the minus is an EN DASH (U+2013) in "CURRENT_TIMESTAMP – interval", and key is not grouped. This cannot run unchanged on any engine.
SELECT key, object_tags['SensitivityLevel']
FROM b_general-purpose-bucket-name"."aws-s3.b_general-purpose-bucket-name.journal"
WHERE record_type = 'CREATE'
AND record_timestamp > (CURRENT_TIMESTAMP – interval '1' month)
GROUP BY object_tags['SensitivityLevel']
;;

-- name: join-custom-metadata-journal
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-join-custom-metadata.html
-- needs: self-managed table "my_namespace"."my_self_managed_metadata_table" (columns bucket, key, version_id)
SELECT *
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."journal" a
JOIN "my_namespace"."my_self_managed_metadata_table" b
ON a.bucket = b.bucket AND a.key = b.key AND a.version_id = b.version_id
WHERE a.record_type = 'CREATE';
;;

-- name: join-custom-metadata-inventory
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-join-custom-metadata.html
-- needs: self-managed table "my_namespace"."my_self_managed_metadata_table" (columns bucket, key, version_id)
SELECT *
FROM "s3tablescatalog/aws-s3"."b_general-purpose-bucket-name"."inventory" a
JOIN "my_namespace"."my_self_managed_metadata_table" b
ON a.bucket = b.bucket AND a.key = b.key AND a.version_id = b.version_id;
;;

-- name: managed-bucket-inventory-limit-10
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-tables-aws-managed-buckets.html
-- note: from the "Working with AWS managed table buckets" page (S3 Tables section); namespace placeholder there is b_amzn-s3-demo-source-bucket.
SELECT *
FROM "s3tablescatalog/aws-s3"."b_amzn-s3-demo-source-bucket"."inventory"
LIMIT 10;
;;

-- name: managed-bucket-inventory-join-own-table
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-tables-aws-managed-buckets.html
-- needs: customer table "s3tablescatalog/amzn-s3-demo-table-bucket"."my_namespace"."my_table" (column key)
SELECT *
FROM "s3tablescatalog/aws-s3"."b_amzn-s3-demo-source-bucket"."inventory" a
JOIN "s3tablescatalog/amzn-s3-demo-table-bucket"."my_namespace"."my_table" b
ON a.key = b.key
LIMIT 10;
;;

-- name: managed-bucket-inventory-join-unqualified
-- source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-tables-aws-managed-buckets.html
-- needs: customer table my_table (column key), in the same default catalog/namespace as inventory
-- note: shown by AWS under "Using Spark" (Spark SQL with unqualified names); the Python spark.sql(...) wrapper next to it is omitted.
SELECT *
FROM inventory a
JOIN my_table b
ON a.key = b.key
LIMIT 10;
;;
