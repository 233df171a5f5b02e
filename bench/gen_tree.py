"""Write the deterministic benchmark inputs of the performance targets.

    python bench/gen_tree.py [OUT] [--force]     (default OUT: $MASQLINT_BENCH_DIR or <tmp>/masqlint-bench)

- ``OUT/T1/``  2,000 Kubernetes manifests (Deployments, Services, ConfigMaps); 25 % are
  ip-masq-agent ConfigMaps in varied shapes, some with findings (key casing, host bits,
  duplicates, en dashes for list markers, JSON config, ``kind: List``, two documents).
- ``OUT/T2/``  a 20,000-file monorepo of clusters and apps: manifests of many kinds, Helm
  values, kustomizations, JSON dashboards, a few large CRDs, files that mention
  masquerading without being agent configs (kube-proxy, DaemonSets, iptables scripts);
  0.5 % (100) are ip-masq-agent ConfigMaps.
- ``OUT/T2F/`` T2 plus 1,000 Markdown docs pages (runbooks with YAML and shell code blocks)
  and 1,000 Terraform files (GKE clusters, node pools, networks), none of which holds or
  mentions an agent config: what files in other forms add to a walk that finds no config.
- ``OUT/C1k.yaml``, ``C10k.yaml``, ``C100k.yaml``  one ConfigMap with n CIDR entries
  (``cidrLimit`` raised to n), plus ``C-small.yaml`` (3 entries) as the baseline.

Every byte depends only on the fixed seed, so two machines benchmark the same trees.
A tree is rewritten only when its stamp (generator version + counts) differs.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys

VERSION = 6
T1_FILES = 2000
T2_FILES = 20000
T2F_DOCS = 1000
T2F_TF = 1000
C_SIZES = {"C1k": 1000, "C10k": 10000, "C100k": 100000}

APPS = ["api", "web", "worker", "billing", "auth", "search", "cart", "orders", "payments", "catalog", "gateway",
        "notifier", "reports", "ingest", "scheduler", "metrics", "profile", "inventory", "shipping", "ledger"]
TEAMS = ["core", "growth", "platform", "data", "risk", "infra", "mobile", "ads"]
ENVS = ["dev", "staging", "prod", "qa"]
REGIONS = ["us-central1", "europe-west1", "asia-east1", "us-east4", "europe-west4", "australia-southeast1"]
IMAGES = ["nginx:1.25.3", "gcr.io/acme/{app}:v{v}", "us-docker.pkg.dev/acme/apps/{app}:{v}", "redis:7.2",
          "postgres:16.1", "ghcr.io/acme/{app}-sidecar:{v}"]


# --- ordinary manifests -----------------------------------------------------------------------------


def _labels(r, app, indent):
    pad = " " * indent
    return (f"{pad}app.kubernetes.io/name: {app}\n{pad}app.kubernetes.io/part-of: {r.choice(TEAMS)}\n"
            f"{pad}app.kubernetes.io/version: \"{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 99)}\"\n")


def deployment(r, app, ns):
    v = f"{r.randint(1, 4)}.{r.randint(0, 40)}.{r.randint(0, 9)}"
    image = r.choice(IMAGES).format(app=app, v=v)
    env = "".join(
        f"            - name: {k}\n              value: \"{val}\"\n"
        for k, val in r.sample([("LOG_LEVEL", "info"), ("PORT", "8080"), ("REGION", r.choice(REGIONS)),
                                ("FEATURE_FLAGS", "search,cart,beta"), ("DB_POOL", str(r.randint(4, 64))),
                                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector.observability:4317"),
                                ("GOMAXPROCS", "2"), ("JAVA_OPTS", "-Xms256m -Xmx512m")], r.randint(2, 6))
    )
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {ns}
  labels:
{_labels(r, app, 4)}  annotations:
    deployment.kubernetes.io/revision: "{r.randint(1, 300)}"
spec:
  replicas: {r.randint(1, 12)}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
{_labels(r, app, 8)}      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9090"
    spec:
      serviceAccountName: {app}
      securityContext:
        runAsNonRoot: true
        runAsUser: {r.randint(1000, 65000)}
        fsGroup: 2000
      containers:
        - name: {app}
          image: {image}
          imagePullPolicy: IfNotPresent
          args: ["--port=8080", "--metrics-port=9090", "--log-format=json"]
          ports:
            - name: http
              containerPort: 8080
            - name: metrics
              containerPort: 9090
          env:
{env}          resources:
            requests:
              cpu: {r.choice(["50m", "100m", "250m", "500m"])}
              memory: {r.choice(["64Mi", "128Mi", "256Mi", "512Mi"])}
            limits:
              memory: {r.choice(["256Mi", "512Mi", "1Gi"])}
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 5
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /livez
              port: http
            failureThreshold: 3
          volumeMounts:
            - name: config
              mountPath: /etc/{app}
              readOnly: true
      volumes:
        - name: config
          configMap:
            name: {app}-config
"""


def service(r, app, ns):
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: {ns}
  labels:
{_labels(r, app, 4)}spec:
  type: {r.choice(["ClusterIP", "ClusterIP", "NodePort", "LoadBalancer"])}
  selector:
    app.kubernetes.io/name: {app}
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
    - name: metrics
      port: 9090
      targetPort: metrics
"""


def app_configmap(r, app, ns):
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
  namespace: {ns}
data:
  LOG_LEVEL: {r.choice(["debug", "info", "warn"])}
  CACHE_TTL: "{r.randint(10, 3600)}s"
  application.yaml: |
    server:
      port: 8080
      shutdown: graceful
    database:
      host: {app}-db.{ns}.svc.cluster.local
      port: 5432
      pool: {r.randint(5, 50)}
    upstreams:
      - name: auth
        url: http://auth.{ns}.svc.cluster.local
      - name: billing
        url: http://billing.{ns}.svc.cluster.local
  nginx.conf: |
    worker_processes auto;
    events {{ worker_connections 1024; }}
    http {{
      server {{
        listen 8080;
        location / {{ proxy_pass http://127.0.0.1:{r.randint(3000, 9000)}; }}
      }}
    }}
"""


def ingress(r, app, ns):
    return f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {app}
  namespace: {ns}
  annotations:
    kubernetes.io/ingress.class: gce
    networking.gke.io/managed-certificates: {app}-cert
spec:
  rules:
    - host: {app}.{r.choice(ENVS)}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {app}
                port:
                  number: 80
"""


def hpa(r, app, ns):
    return f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {app}
  namespace: {ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {app}
  minReplicas: {r.randint(1, 3)}
  maxReplicas: {r.randint(4, 40)}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {r.randint(50, 85)}
"""


def network_policy(r, app, ns):
    return f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {app}-egress
  namespace: {ns}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: {app}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock:
            cidr: 10.{r.randint(0, 255)}.0.0/16
            except:
              - 10.{r.randint(0, 255)}.{r.randint(0, 255)}.0/24
      ports:
        - protocol: TCP
          port: 5432
"""


def rbac(r, app, ns):
    return f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {app}
  namespace: {ns}
  annotations:
    iam.gke.io/gcp-service-account: {app}@acme-{r.choice(ENVS)}.iam.gserviceaccount.com
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {app}
  namespace: {ns}
rules:
  - apiGroups: [""]
    resources: ["configmaps", "secrets"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {app}
  namespace: {ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {app}
subjects:
  - kind: ServiceAccount
    name: {app}
    namespace: {ns}
"""


def cronjob(r, app, ns):
    return f"""apiVersion: batch/v1
kind: CronJob
metadata:
  name: {app}-cleanup
  namespace: {ns}
spec:
  schedule: "{r.randint(0, 59)} {r.randint(0, 23)} * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: gcr.io/acme/{app}-tools:{r.randint(1, 20)}
              command:
                - /bin/sh
                - -c
                - |
                  set -eu
                  echo "cleaning {app}"
                  /usr/local/bin/cleanup --older-than={r.randint(1, 90)}d \\
                    --dry-run=false
"""


def kustomization(r, app, ns):
    return f"""apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: {ns}
resources:
  - deployment.yaml
  - service.yaml
  - ingress.yaml
commonLabels:
  team: {r.choice(TEAMS)}
images:
  - name: gcr.io/acme/{app}
    newTag: v{r.randint(1, 9)}.{r.randint(0, 99)}
configMapGenerator:
  - name: {app}-env
    literals:
      - LOG_LEVEL=info
      - REGION={r.choice(REGIONS)}
"""


def helm_values(r, app, ns):
    blocks = []
    for i in range(r.randint(8, 40)):
        blocks.append(f"""  component{i}:
    enabled: {r.choice(["true", "false"])}
    replicaCount: {r.randint(1, 5)}
    image:
      repository: gcr.io/acme/{app}-c{i}
      tag: "{r.randint(1, 9)}.{r.randint(0, 9)}"
    resources:
      requests: {{cpu: {r.randint(10, 900)}m, memory: {r.randint(16, 900)}Mi}}
    nodeSelector:
      cloud.google.com/gke-nodepool: pool-{r.randint(1, 6)}
    tolerations: []
""")
    return f"# Default values for {app}.\nglobal:\n  region: {r.choice(REGIONS)}\n  env: {r.choice(ENVS)}\ncomponents:\n" + "".join(blocks)


def dashboard_json(r, app, ns):
    panels = [
        {"id": i, "type": r.choice(["graph", "stat", "table", "heatmap"]), "title": f"{app} panel {i}",
         "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": i * 8},
         "targets": [{"expr": f'sum(rate(http_requests_total{{app="{app}",code=~"5.."}}[5m]))', "refId": "A"}],
         "fieldConfig": {"defaults": {"unit": "reqps", "thresholds": {"steps": [{"color": "green", "value": None},
                                                                               {"color": "red", "value": 80}]}}}}
        for i in range(r.randint(4, 30))
    ]
    return json.dumps({"title": f"{app} / {ns}", "uid": f"{app}-{r.randint(0, 10**6)}", "panels": panels,
                       "schemaVersion": 39, "tags": [app, ns]}, indent=2) + "\n"


def crd(r, app, ns):
    props = "".join(
        f"""                field{i}:
                  type: {r.choice(["string", "integer", "boolean"])}
                  description: Field {i} of the {app} resource; see the operator documentation for the meaning and
                    the defaults that apply when it is not set.
"""
        for i in range(r.randint(300, 900))
    )
    return f"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {app}s.acme.example.com
spec:
  group: acme.example.com
  names:
    kind: {app.capitalize()}
    plural: {app}s
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
{props}"""


# Files that mention masquerading but hold no ip-masq-agent config (the prefilter lets them through).


def kube_proxy(r, app, ns):
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-proxy
  namespace: kube-system
data:
  config.conf: |
    apiVersion: kubeproxy.config.k8s.io/v1alpha1
    kind: KubeProxyConfiguration
    mode: iptables
    clusterCIDR: 10.{r.randint(0, 255)}.0.0/14
    iptables:
      masqueradeAll: false
      masqueradeBit: 14
      syncPeriod: 30s
"""


def masq_daemonset(r, app, ns):
    return f"""apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ip-masq-agent
  namespace: kube-system
spec:
  selector:
    matchLabels:
      k8s-app: ip-masq-agent
  template:
    metadata:
      labels:
        k8s-app: ip-masq-agent
    spec:
      hostNetwork: true
      containers:
        - name: ip-masq-agent
          image: registry.k8s.io/networking/ip-masq-agent:v2.{r.randint(5, 9)}.0
          args: ["--masq-chain=IP-MASQ", "--nomasq-all-reserved-ranges"]
          securityContext:
            privileged: false
            capabilities:
              add: ["NET_ADMIN", "NET_RAW"]
          volumeMounts:
            - name: config
              mountPath: /etc/config
      volumes:
        - name: config
          configMap:
            name: ip-masq-agent
            optional: true
            items:
              - key: config
                path: ip-masq-agent
"""


ORDINARY = [(deployment, 30), (service, 22), (app_configmap, 15), (ingress, 6), (hpa, 6), (network_policy, 5),
            (rbac, 5), (cronjob, 3), (kustomization, 4), (helm_values, 2), (dashboard_json, 1.5)]
DECOYS = [(kube_proxy, 1), (masq_daemonset, 1)]


# --- ip-masq-agent ConfigMaps ------------------------------------------------------------------------

GKE_KEEP = ["172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24",
            "192.88.99.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4"]


def _block(items, indent=6, dash="-"):
    pad = " " * indent
    return "".join(f"{pad}{dash} {c}\n" for c in items)


def _cm(body, ns="kube-system", extra_meta=""):
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: {ns}
{extra_meta}data:
  config: |
{body}"""


def agent_configmap(r, variant):
    pod = f"10.{r.randint(1, 250)}.{r.randrange(0, 256, 4)}.0/22"
    onprem = f"10.{r.randint(1, 250)}.{r.randint(0, 255)}.0/24"
    keep = r.sample(GKE_KEEP, r.randint(3, len(GKE_KEEP)))
    v = variant % 12
    if v == 0:  # clean: the seed document's fix
        return _cm("    nonMasqueradeCIDRs:\n" + _block([pod, onprem] + keep) + "    masqLinkLocal: false\n    resyncInterval: 60s\n")
    if v == 1:  # key casing
        return _cm("    nonMasqueradeCIDRS:\n" + _block([pod] + keep) + "    resyncInterval: 60s\n")
    if v == 2:  # host bits
        host = f"10.{r.randint(1, 250)}.{r.randint(0, 255)}.{r.randint(1, 254)}/24"
        return _cm("    nonMasqueradeCIDRs:\n" + _block([pod, host] + keep) + "    resyncInterval: 60s\n")
    if v == 3:  # duplicate entry and a redundant one
        return _cm("    nonMasqueradeCIDRs:\n" + _block([pod, onprem, pod] + keep + ["172.16.5.0/24"]))
    if v == 4:  # en dashes where list markers belong
        return _cm("    nonMasqueradeCIDRs:\n" + _block([pod] + keep[:3], dash="\u2013") + "    masqLinkLocal: false\n")
    if v == 5:  # JSON config in a quoted string
        cfg = json.dumps({"nonMasqueradeCIDRs": [pod, onprem] + keep, "masqLinkLocal": False, "resyncInterval": "60s"})
        return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
  labels:
    addonmanager.kubernetes.io/mode: EnsureExists
data:
  config: '{cfg}'
"""
    if v == 6:  # flow list, cidrLimit, mergeable neighbours
        a = r.randint(1, 250)
        flow = ", ".join([f"10.{a}.0.0/24", f"10.{a}.1.0/24", pod] + keep)
        return _cm(f"    nonMasqueradeCIDRs: [{flow}]\n    cidrLimit: 32\n    resyncInterval: 1m30s\n")
    if v == 7:  # the broken paste: `key : value`, a comment glued on, masqLinkLocal as a string
        return _cm("    nonMasqueradeCIDRs :\n" + _block([pod] + keep) + "    masqLinkLocal: \"false\"\n"
                   "    resyncInterval: 60s# resync every minute\n")
    if v == 8:  # kubectl get -o yaml: kind: List
        items = _block([pod, onprem] + keep, indent=10)
        return f"""apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: ip-masq-agent
      namespace: kube-system
      resourceVersion: "{r.randint(1000, 99999)}"
    data:
      config: |
        nonMasqueradeCIDRs:
{items}        resyncInterval: 60s
metadata:
  resourceVersion: ""
"""
    if v == 9:  # together with the DaemonSet in one file
        return _cm("    nonMasqueradeCIDRs:\n" + _block([pod, onprem] + keep) + "    resyncInterval: 60s\n") + "---\n" + masq_daemonset(r, "", "")
    if v == 10:  # wrong namespace and a YAML 1.1 boolean
        return _cm("    nonMasqueradeCIDRs:\n" + _block([pod] + keep) + "    masqLinkLocal: no\n", ns="default")
    # v == 11: dropped all defaults but one, public range
    return _cm("    nonMasqueradeCIDRs:\n" + _block([pod, "34.120.0.0/16"]) + "    resyncInterval: 30s\n")


def big_configmap(n: int, seed: int = 7) -> str:
    """One ConfigMap with n distinct /28 entries in 10.0.0.0/8 (a few findings sprinkled in).

    Entries are drawn from the first 10·n /28 blocks, so that one in ten slots is taken at
    every n: neighbours that MQ307 merges are as frequent per entry at 1k as at 100k, and
    time per entry compares like with like."""
    r = random.Random(seed * 1000003 + n)
    picks = r.sample(range(min(10 * n, 1 << 20)), n)
    lines = []
    for i, p in enumerate(picks):
        a = (p << 4) | (5 if i % 997 == 13 else 0)  # every ~1000th entry has host bits
        lines.append(f"      - 10.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}/28\n")
        if i % 1009 == 500:
            lines.append(lines[-1])  # a duplicate
    limit = len(lines)
    return (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\n"
            f"data:\n  config: |\n    cidrLimit: {limit}\n    resyncInterval: 60s\n    nonMasqueradeCIDRs:\n" + "".join(lines))


SMALL = """apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRs:
      - 10.1.1.0/24
      - 172.16.0.0/12
      - 192.168.0.0/16
    masqLinkLocal: false
    resyncInterval: 60s
"""

NOT_AGENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      containers:
        - name: web
          image: nginx:1.25.3
          ports:
            - containerPort: 8080
"""


# --- trees -------------------------------------------------------------------------------------------


def _pick(r, table):
    total = sum(w for _, w in table)
    x = r.uniform(0, total)
    for fn, w in table:
        x -= w
        if x <= 0:
            return fn
    return table[-1][0]


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def gen_t1(root):
    r = random.Random(1)
    for i in range(T1_FILES):
        cluster = f"cluster-{i % 40:02d}"
        if i % 4 == 0:
            _write(os.path.join(root, cluster, "kube-system", f"ip-masq-agent-{i:04d}.yaml"), agent_configmap(r, i // 4))
            continue
        app = APPS[i % len(APPS)]
        ns = f"{app}-{ENVS[i % len(ENVS)]}"
        fn = (deployment, service, app_configmap)[i % 3]
        _write(os.path.join(root, cluster, ns, f"{app}-{fn.__name__}-{i:04d}.yaml"), fn(r, app, ns))


def gen_t2(root):
    r = random.Random(2)
    n_agent = T2_FILES // 200  # 0.5 %
    agent_at = set(r.sample(range(T2_FILES), n_agent))
    crd_at = set(r.sample(sorted(set(range(T2_FILES)) - agent_at), 20))
    for i in range(T2_FILES):
        cluster = f"clusters/{REGIONS[i % len(REGIONS)]}/c{i % 100:03d}"
        if i in agent_at:
            _write(os.path.join(root, cluster, "kube-system", f"ip-masq-agent-{i:05d}.yaml"), agent_configmap(r, i))
            continue
        app = APPS[r.randrange(len(APPS))]
        ns = f"{app}-{r.choice(ENVS)}"
        if i in crd_at:
            _write(os.path.join(root, "platform", "crds", f"{app}-{i:05d}.yaml"), crd(r, app, ns))
            continue
        fn = _pick(r, ORDINARY + DECOYS)
        top = "apps" if i % 3 else cluster
        ext = ".json" if fn is dashboard_json else (".yml" if i % 11 == 0 else ".yaml")
        if fn is kustomization:
            name = "kustomization.yaml"
            sub = os.path.join(top, app, f"overlays-{i:05d}")
        elif fn is helm_values:
            name = f"values-{i:05d}.yaml"
            sub = os.path.join("charts", app)
        else:
            name = f"{fn.__name__.replace('_', '-')}-{i:05d}{ext}"
            sub = os.path.join(top, ns)
        _write(os.path.join(root, sub, name), fn(r, app, ns))


# --- files in other forms without a config (T2F) ---------------------------------------------------


def docs_page(r, app, ns):
    fence = "```"
    replicas = r.randint(2, 8)
    return f"""# {app} runbook ({ns})

Owner: team {r.choice(TEAMS)}. Region: {r.choice(REGIONS)}. Last reviewed {r.randint(2021, 2026)}-{r.randint(1, 12):02d}.

## Deploying

The service ships as a Deployment behind a ClusterIP Service. Roll out a new version with:

{fence}sh
kubectl -n {ns} set image deployment/{app} {app}=gcr.io/acme/{app}:v{r.randint(1, 9)}.{r.randint(0, 40)}
kubectl -n {ns} rollout status deployment/{app} --timeout=5m
{fence}

The manifest, for reference:

{fence}yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {ns}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {app}
    spec:
      containers:
        - name: {app}
          image: gcr.io/acme/{app}:v{r.randint(1, 9)}
          ports:
            - containerPort: 8080
{fence}

## Alerts

| alert | threshold | action |
|---|---|---|
| {app}HighErrorRate | 5xx above {r.randint(1, 5)} % for 10 min | check the last rollout; roll back with `kubectl rollout undo` |
| {app}PodCrashLooping | restarts above {r.randint(3, 10)} in 15 min | read the logs of the previous container |
| {app}LatencyP99 | p99 above {r.randint(200, 900)} ms | scale out: `kubectl -n {ns} scale deployment/{app} --replicas={replicas * 2}` |

## Dependencies

- database: `{app}-db.{ns}.svc.cluster.local:5432` (pool of {r.randint(5, 50)} connections)
- cache: Redis at `redis.{ns}.svc.cluster.local:6379`
- egress to the on-premises network through the VPN (10.{r.randint(0, 255)}.0.0/16)
"""


def terraform_file(r, app, ns):
    region = r.choice(REGIONS)
    name = f"{app}-{r.choice(ENVS)}"
    return f"""terraform {{
  required_providers {{
    google = {{
      source  = "hashicorp/google"
      version = "~> {r.randint(4, 6)}.{r.randint(0, 40)}"
    }}
  }}
}}

resource "google_compute_network" "{app}" {{
  name                    = "{name}-vpc"
  auto_create_subnetworks = false
}}

resource "google_compute_subnetwork" "{app}" {{
  name          = "{name}-nodes"
  region        = "{region}"
  network       = google_compute_network.{app}.id
  ip_cidr_range = "10.{r.randint(0, 255)}.0.0/20"

  secondary_ip_range {{
    range_name    = "pods"
    ip_cidr_range = "10.{r.randint(0, 255)}.0.0/14"
  }}
  secondary_ip_range {{
    range_name    = "services"
    ip_cidr_range = "10.{r.randint(0, 255)}.{r.randrange(0, 256, 16)}.0/20"
  }}
}}

resource "google_container_cluster" "{app}" {{
  name       = "{name}"
  location   = "{region}"
  network    = google_compute_network.{app}.id
  subnetwork = google_compute_subnetwork.{app}.id

  remove_default_node_pool = true
  initial_node_count       = 1

  ip_allocation_policy {{
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }}

  release_channel {{
    channel = "{r.choice(["RAPID", "REGULAR", "STABLE"])}"
  }}
}}

resource "google_container_node_pool" "{app}" {{
  name     = "{name}-pool"
  cluster  = google_container_cluster.{app}.id
  location = "{region}"

  autoscaling {{
    min_node_count = {r.randint(1, 3)}
    max_node_count = {r.randint(4, 20)}
  }}

  node_config {{
    machine_type = "{r.choice(["e2-standard-4", "n2-standard-8", "c3-standard-4"])}"
    disk_size_gb = {r.choice([50, 100, 200])}
    labels = {{
      team = "{r.choice(TEAMS)}"
    }}
  }}
}}
"""


def gen_t2f(root):
    """T2 (the same bytes) plus Markdown docs and Terraform files that hold no config."""
    gen_t2(root)
    r = random.Random(3)
    for i in range(T2F_DOCS):
        app = APPS[r.randrange(len(APPS))]
        ns = f"{app}-{r.choice(ENVS)}"
        _write(os.path.join(root, "docs", app, f"runbook-{i:04d}.md"), docs_page(r, app, ns))
    for i in range(T2F_TF):
        app = APPS[r.randrange(len(APPS))]
        ns = f"{app}-{r.choice(ENVS)}"
        _write(os.path.join(root, "infra", REGIONS[i % len(REGIONS)], f"{app}-{i:04d}.tf"), terraform_file(r, app, ns))


GITIGNORE = "# build output and local state\n*.tgz\n.terraform/\ncharts/*/charts/\n*.swp\n"


def _repo_root(root):
    """Each tree is the top of its own repository (an empty .git) so that discovery stops there."""
    os.makedirs(os.path.join(root, ".git"), exist_ok=True)
    _write(os.path.join(root, ".gitignore"), GITIGNORE)


def _stamp(root):
    return f"gen_tree v{VERSION} T1={T1_FILES} T2={T2_FILES} T2F=+{T2F_DOCS}md+{T2F_TF}tf C={sorted(C_SIZES.items())}\n"


def generate(out: str, force: bool = False) -> str:
    """Write every input below ``out`` unless its stamp says it is already there; return ``out``."""
    stamp_path = os.path.join(out, "STAMP")
    try:
        with open(stamp_path, encoding="utf-8") as fh:
            if fh.read() == _stamp(out) and not force:
                return out
    except OSError:
        pass
    for sub in ("T1", "T2", "T2F"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    for sub, gen in (("T1", gen_t1), ("T2", gen_t2), ("T2F", gen_t2f)):
        gen(os.path.join(out, sub))
        _repo_root(os.path.join(out, sub))
    for name, n in C_SIZES.items():
        _write(os.path.join(out, f"{name}.yaml"), big_configmap(n))
    _write(os.path.join(out, "C-small.yaml"), SMALL)
    _write(os.path.join(out, "small-configmap.yaml"), SMALL)
    _write(os.path.join(out, "not-agent.yaml"), NOT_AGENT)
    _write(stamp_path, _stamp(out))
    return out


def default_out() -> str:
    """Outside any repository and settings file, so that nothing around the trees changes what is measured."""
    import tempfile

    return os.environ.get("MASQLINT_BENCH_DIR") or os.path.join(tempfile.gettempdir(), "masqlint-bench")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    force = "--force" in argv
    rest = [a for a in argv if a != "--force"]
    out = rest[0] if rest else default_out()
    generate(out, force=force)
    n = sum(len(files) for _, _, files in os.walk(out))
    print(f"{out}: {n} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
