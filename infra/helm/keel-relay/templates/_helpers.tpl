{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "keel-relay.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: <release>-keel-relay unless the release already says it. */}}
{{- define "keel-relay.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "keel-relay.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "keel-relay.selectorLabels" -}}
app.kubernetes.io/name: {{ include "keel-relay.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "keel-relay.labels" -}}
helm.sh/chart: {{ include "keel-relay.chart" . }}
{{ include "keel-relay.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: relay
app.kubernetes.io/part-of: keel
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "keel-relay.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "keel-relay.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Where the relay finds the Kafka CA, if TLS to Kafka is on. */}}
{{- define "keel-relay.kafkaCaFile" -}}
{{- if .Values.kafka.caFile.configMap }}
{{- printf "/etc/keel-relay/kafka-ca/%s" .Values.kafka.caFile.key }}
{{- else }}
{{- .Values.kafka.caFile.path }}
{{- end }}
{{- end }}

{{- define "keel-relay.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* Settings the chart cannot honour, or needs together, fail the render with a reason. */}}
{{- define "keel-relay.validate" -}}
{{- if and .Values.kafka.caFile.configMap .Values.kafka.caFile.path }}
{{- fail "kafka.caFile: set either configMap (the CA from a ConfigMap) or path (a file in the image), not both" }}
{{- end }}
{{- if and .Values.kafka.sasl.username (not .Values.kafka.sasl.existingSecret) }}
{{- fail "kafka.sasl.existingSecret: a Secret with the SASL password is required when kafka.sasl.username is set" }}
{{- end }}
{{- if eq .Values.vault.auth.method "token" }}
{{- $_ := required "vault.auth.token.existingSecret: a Secret with the Vault token is required for vault.auth.method=token" .Values.vault.auth.token.existingSecret }}
{{- else }}
{{- $_ := required "vault.auth.approle.existingSecret: a Secret with the AppRole role id and secret id is required for vault.auth.method=approle" .Values.vault.auth.approle.existingSecret }}
{{- end }}
{{- end }}
