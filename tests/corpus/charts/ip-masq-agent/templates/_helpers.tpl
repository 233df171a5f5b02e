{{/*
Expand the name of the chart.
*/}}
{{- define "ip-masq-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The agent reads exactly kube-system/ip-masq-agent; do not add a release prefix.
*/}}
{{- define "ip-masq-agent.fullname" -}}
{{- default "ip-masq-agent" .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ip-masq-agent.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "ip-masq-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
