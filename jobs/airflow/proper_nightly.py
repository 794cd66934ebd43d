"""Nightly PROPER personalization run: one spark-submit per pipeline stage.

ingest -> embed -> cluster -> train-population -> train-groups -> train-users -> evaluate -> publish

Every task runs the shaded application jar (``mvn -pl jobs package`` builds
``jobs/target/proper-jobs-<version>-spark.jar``) with ``org.proper.jobs.cli.ProperCli <stage> --run-date {{ ds }}
--parent-run latest --config <file>``. A stage that already completed for a run id is skipped by the CLI (pass ``--force`` by hand to
redo one), so retries and clears are idempotent. ``--run-date`` selects the interactions up to that date
(``proper.data.until-run-date``, set in conf/cluster.conf); the run id defaults to the run date; ``--parent-run latest``
makes each run build on the newest published run before it (the previous night's) and record it as its parent: only
users with new interactions are retrained, the group level on its cadence or on drift. So the DAG runs one date at a
time (``max_active_runs=1``, ``depends_on_past=True``).

Airflow Variables (all optional; defaults in brackets) - read through Jinja at run time, not at parse time:
  proper_jar                   [/opt/proper/lib/proper-jobs-spark.jar]  the shaded jar
  proper_config                [/opt/proper/conf/cluster.conf]          HOCON config (conf/cluster.conf, conf/gpu.conf)
  proper_executor_memory       [8g]
  proper_executor_memory_overhead [6g]   off-heap for ND4J (see docs/PRODUCTION.md)
  proper_executor_cores        [4]
  proper_num_executors         [8]
  proper_javacpp_maxbytes      [5G]     org.bytedeco.javacpp.maxbytes on executors
  proper_javacpp_maxphysicalbytes [13G] org.bytedeco.javacpp.maxphysicalbytes on executors

Spark connection ``spark_proper`` (SPARK_CONN_ID below; conn_id is not templated): host = the master
(``yarn``, ``k8s://https://...``, ``spark://host:7077``), extra ``{"deploy-mode": "cluster"}`` and, for Kubernetes,
``{"namespace": "..."}``; ``spark.kubernetes.container.image`` etc. go into ``spark-defaults.conf`` of the Airflow
workers (conf/spark-defaults.conf.template).

Kept statically parseable on purpose: jobs/src/test/java/org/proper/jobs/airflow/ reads this file with python's
``ast`` module and checks every task's java_class against the shaded jar and its arguments against the CLI's
``--dry-run``, so the DAG cannot drift from the jobs. Targets Airflow 2.x with apache-airflow-providers-apache-spark
(``sla`` is an Airflow 2 operator argument).
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

DAG_ID = "proper_nightly"
SPARK_CONN_ID = "spark_proper"
JAVA_CLASS = "org.proper.jobs.cli.ProperCli"
APPLICATION_JAR = "{{ var.value.get('proper_jar', '/opt/proper/lib/proper-jobs-spark.jar') }}"
CONFIG_FILE = "{{ var.value.get('proper_config', '/opt/proper/conf/cluster.conf') }}"
RUN_DATE = "{{ ds }}"
# Nightly incremental runs (docs/PRODUCTION.md): each run builds on the newest published run before its date; users
# without new interactions keep their adapters. The first run (no earlier run) is a full run.
PARENT_RUN = "latest"

# Spark settings DL4J needs (docs/PRODUCTION.md): executor off-heap for ND4J arrays, one native thread per task slot.
SPARK_CONF = {
    "spark.executor.memory": "{{ var.value.get('proper_executor_memory', '8g') }}",
    "spark.executor.memoryOverhead": "{{ var.value.get('proper_executor_memory_overhead', '6g') }}",
    "spark.executor.cores": "{{ var.value.get('proper_executor_cores', '4') }}",
    "spark.executor.instances": "{{ var.value.get('proper_num_executors', '8') }}",
    # the JDK vector API for the model's GELU/SiLU kernels (docs/MODEL.md); without it training uses ND4J's slower ops
    "spark.driver.extraJavaOptions": "--add-modules=jdk.incubator.vector",
    "spark.executor.extraJavaOptions": (
        "--add-modules=jdk.incubator.vector "
        "-Dorg.bytedeco.javacpp.maxbytes={{ var.value.get('proper_javacpp_maxbytes', '5G') }} "
        "-Dorg.bytedeco.javacpp.maxphysicalbytes={{ var.value.get('proper_javacpp_maxphysicalbytes', '13G') }}"
    ),
    "spark.executorEnv.OMP_NUM_THREADS": "1",
    "spark.task.maxFailures": "4",
    "spark.sql.adaptive.enabled": "true",
}

default_args = {
    "owner": "proper",
    "depends_on_past": True,
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(hours=1),
    "sla": timedelta(hours=6),
    "execution_timeout": timedelta(hours=4),
}

with DAG(
    dag_id=DAG_ID,
    description="PROPER nightly: population -> group -> user LoRA personalization on Spark",
    schedule="0 2 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["proper", "spark", "personalization"],
) as dag:
    ingest = SparkSubmitOperator(
        task_id="ingest",
        conn_id=SPARK_CONN_ID,
        application=APPLICATION_JAR,
        java_class=JAVA_CLASS,
        name="proper-ingest-{{ ds }}",
        conf=SPARK_CONF,
        application_args=["ingest", "--run-date", RUN_DATE, "--parent-run", PARENT_RUN, "--config", CONFIG_FILE],
    )
    embed = SparkSubmitOperator(
        task_id="embed",
        conn_id=SPARK_CONN_ID,
        application=APPLICATION_JAR,
        java_class=JAVA_CLASS,
        name="proper-embed-{{ ds }}",
        conf=SPARK_CONF,
        application_args=["embed", "--run-date", RUN_DATE, "--parent-run", PARENT_RUN, "--config", CONFIG_FILE],
    )
    cluster = SparkSubmitOperator(
        task_id="cluster",
        conn_id=SPARK_CONN_ID,
        application=APPLICATION_JAR,
        java_class=JAVA_CLASS,
        name="proper-cluster-{{ ds }}",
        conf=SPARK_CONF,
        application_args=["cluster", "--run-date", RUN_DATE, "--parent-run", PARENT_RUN, "--config", CONFIG_FILE],
    )
    train_population = SparkSubmitOperator(
        task_id="train-population",
        conn_id=SPARK_CONN_ID,
        application=APPLICATION_JAR,
        java_class=JAVA_CLASS,
        name="proper-train-population-{{ ds }}",
        conf=SPARK_CONF,
        application_args=["train-population", "--run-date", RUN_DATE, "--parent-run", PARENT_RUN, "--config", CONFIG_FILE],
    )
    train_groups = SparkSubmitOperator(
        task_id="train-groups",
        conn_id=SPARK_CONN_ID,
        application=APPLICATION_JAR,
        java_class=JAVA_CLASS,
        name="proper-train-groups-{{ ds }}",
        conf=SPARK_CONF,
        application_args=["train-groups", "--run-date", RUN_DATE, "--parent-run", PARENT_RUN, "--config", CONFIG_FILE],
    )
    train_users = SparkSubmitOperator(
        task_id="train-users",
        conn_id=SPARK_CONN_ID,
        application=APPLICATION_JAR,
        java_class=JAVA_CLASS,
        name="proper-train-users-{{ ds }}",
        conf=SPARK_CONF,
        application_args=["train-users", "--run-date", RUN_DATE, "--parent-run", PARENT_RUN, "--config", CONFIG_FILE],
    )
    evaluate = SparkSubmitOperator(
        task_id="evaluate",
        conn_id=SPARK_CONN_ID,
        application=APPLICATION_JAR,
        java_class=JAVA_CLASS,
        name="proper-evaluate-{{ ds }}",
        conf=SPARK_CONF,
        application_args=["evaluate", "--run-date", RUN_DATE, "--parent-run", PARENT_RUN, "--config", CONFIG_FILE],
    )
    publish = SparkSubmitOperator(
        task_id="publish",
        conn_id=SPARK_CONN_ID,
        application=APPLICATION_JAR,
        java_class=JAVA_CLASS,
        name="proper-publish-{{ ds }}",
        conf=SPARK_CONF,
        application_args=["publish", "--run-date", RUN_DATE, "--parent-run", PARENT_RUN, "--config", CONFIG_FILE],
    )

    ingest >> embed >> cluster >> train_population >> train_groups >> train_users >> evaluate >> publish
