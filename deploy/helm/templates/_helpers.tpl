{{/* Chart name, truncated to fit a DNS label. */}}
{{- define "texera-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name prefix of every resource. Kept to 40 characters so that "<fullname>-access-control" and the other
suffixed names stay within the 63-character DNS label limit of Services.
*/}}
{{- define "texera-agent.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "texera-agent.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels common to every resource. */}}
{{- define "texera-agent.labels" -}}
helm.sh/chart: {{ include "texera-agent.chart" . }}
app.kubernetes.io/name: {{ include "texera-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: texera-agent
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: (dict "ctx" $ "component" "agent-service"). */}}
{{- define "texera-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "texera-agent.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of one component. */}}
{{- define "texera-agent.componentLabels" -}}
{{ include "texera-agent.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Resource names. */}}
{{- define "texera-agent.agentName" -}}{{ include "texera-agent.fullname" . }}-agent-service{{- end }}
{{- define "texera-agent.accessControlName" -}}{{ include "texera-agent.fullname" . }}-access-control{{- end }}
{{- define "texera-agent.webName" -}}{{ include "texera-agent.fullname" . }}-web{{- end }}
{{- define "texera-agent.agentRouteName" -}}{{ include "texera-agent.fullname" . }}-agents{{- end }}
{{- define "texera-agent.loginRouteName" -}}{{ include "texera-agent.fullname" . }}-login{{- end }}
{{- define "texera-agent.webRouteName" -}}{{ include "texera-agent.fullname" . }}-web{{- end }}

{{/* The datasets PersistentVolumeClaim of agent-service: the existing claim if one is named, else the chart's. */}}
{{- define "texera-agent.datasetsClaimName" -}}
{{- default (printf "%s-agent-datasets" (include "texera-agent.fullname" .)) .Values.agentService.persistence.existingClaim }}
{{- end }}

{{- define "texera-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "texera-agent.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Secret names: the existing Secret if one is named, else the chart-created one. */}}
{{- define "texera-agent.authSecretName" -}}
{{- default (printf "%s-auth" (include "texera-agent.fullname" .)) .Values.auth.existingSecret }}
{{- end }}
{{- define "texera-agent.databaseSecretName" -}}
{{- default (printf "%s-database" (include "texera-agent.fullname" .)) .Values.database.existingSecret }}
{{- end }}
{{- define "texera-agent.litellmSecretName" -}}
{{- default (printf "%s-litellm" (include "texera-agent.fullname" .)) .Values.litellm.existingSecret }}
{{- end }}

{{/* Whether a database (PostgreSQL) is configured; "true" or "". */}}
{{- define "texera-agent.hasDatabase" -}}
{{- if or .Values.database.url .Values.database.existingSecret }}true{{ end }}
{{- end }}

{{/* Whether agent-service gets LITELLM_MASTER_KEY; "true" or "". */}}
{{- define "texera-agent.hasMasterKey" -}}
{{- if or .Values.litellm.masterKey .Values.litellm.existingSecret }}true{{ end }}
{{- end }}

{{/* image reference of a component: (dict "ctx" $ "image" .Values.x.image). */}}
{{- define "texera-agent.image" -}}
{{- printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag) }}
{{- end }}

{{/*
Checks that fail the render with a clear message, mirroring what the services refuse at start-up.
Included once, from secrets.yaml.
*/}}
{{- define "texera-agent.validate" -}}
{{- with .Values.auth.jwtSecret }}
{{- if eq (lower .) "random" }}
{{- fail "auth.jwtSecret: the value \"random\" is refused; set a secret of at least 32 bytes or leave it empty to generate one" }}
{{- end }}
{{- if lt (len .) 32 }}
{{- fail "auth.jwtSecret: the secret must be at least 32 bytes long" }}
{{- end }}
{{- end }}
{{- if not (include "texera-agent.hasDatabase" .) }}
{{- if gt (int .Values.agentService.replicaCount) 1 }}
{{- fail "agentService.replicaCount > 1 needs PostgreSQL: set database.url or database.existingSecret (the embedded SQLite file is per pod)" }}
{{- end }}
{{- if gt (int .Values.accessControl.replicaCount) 1 }}
{{- fail "accessControl.replicaCount > 1 needs PostgreSQL: set database.url or database.existingSecret (the embedded SQLite file is per pod)" }}
{{- end }}
{{- end }}
{{- $agent := .Values.agentService }}
{{- if gt (int $agent.replicaCount) 1 }}
{{- if not $agent.persistence.enabled }}
{{- fail "agentService.replicaCount > 1 needs a shared datasets volume: every replica must see the datasets users upload (DATA_DIR/datasets), so set agentService.persistence.enabled=true with a ReadWriteMany storage class (agentService.persistence.storageClass) or an existing ReadWriteMany claim (agentService.persistence.existingClaim)" }}
{{- end }}
{{- if and (not $agent.persistence.existingClaim) (not (has "ReadWriteMany" $agent.persistence.accessModes)) }}
{{- fail "agentService.replicaCount > 1 needs a shared ReadWriteMany datasets volume: add ReadWriteMany to agentService.persistence.accessModes (replicas on other nodes cannot mount a ReadWriteOnce volume), or name a claim every pod can mount in agentService.persistence.existingClaim" }}
{{- end }}
{{- end }}
{{- if and .Values.database.url (not (regexMatch "^postgres(ql)?://" .Values.database.url)) }}
{{- fail "database.url must be a PostgreSQL URL (postgres://user:password@host:5432/db)" }}
{{- end }}
{{- end }}

{{/* Shared volume mounts of the Node services: writable /tmp, and /data for the embedded defaults. */}}
{{- define "texera-agent.nodeVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /data
{{- end }}
{{- define "texera-agent.nodeVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
- name: data
  emptyDir:
    sizeLimit: 1Gi
{{- end }}

{{/* Env vars both services share: AUTH_JWT_SECRET, and DATABASE_URL or DATA_DIR. */}}
{{- define "texera-agent.sharedEnv" -}}
- name: AUTH_JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "texera-agent.authSecretName" . }}
      key: {{ .Values.auth.existingSecretKey }}
- name: DATA_DIR
  value: /data
# Envoy's pods, which append the client's address to X-Forwarded-For (values.yaml gateway.trustedProxies)
- name: TRUSTED_PROXIES
  value: {{ .Values.gateway.trustedProxies | quote }}
{{- if include "texera-agent.hasDatabase" . }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "texera-agent.databaseSecretName" . }}
      key: {{ .Values.database.existingSecretKey }}
{{- end }}
{{- end }}

{{/* Probes of a Node service: started and alive on /api/healthcheck/live (the process answers), ready on
     /api/healthcheck/ready (its database answers; 503 while it does not, and while the pod shuts down).
     (dict "probes" .Values.x.probes). */}}
{{- define "texera-agent.healthProbes" -}}
startupProbe:
  httpGet:
    path: /api/healthcheck/live
    port: http
  periodSeconds: 2
  timeoutSeconds: {{ .probes.timeoutSeconds }}
  failureThreshold: {{ .probes.startupFailureThreshold }}
livenessProbe:
  httpGet:
    path: /api/healthcheck/live
    port: http
  periodSeconds: {{ .probes.periodSeconds }}
  timeoutSeconds: {{ .probes.timeoutSeconds }}
  failureThreshold: {{ .probes.failureThreshold }}
readinessProbe:
  httpGet:
    path: /api/healthcheck/ready
    port: http
  periodSeconds: {{ .probes.periodSeconds }}
  timeoutSeconds: {{ .probes.timeoutSeconds }}
  failureThreshold: {{ .probes.failureThreshold }}
{{- end }}

{{/* parentRefs of every HTTPRoute. */}}
{{- define "texera-agent.parentRefs" -}}
{{- range .Values.gateway.parentRefs }}
- group: gateway.networking.k8s.io
  kind: Gateway
  name: {{ required "gateway.parentRefs[].name is required" .name }}
  {{- with .namespace }}
  namespace: {{ . }}
  {{- end }}
  {{- with .sectionName }}
  sectionName: {{ . }}
  {{- end }}
{{- end }}
{{- end }}

{{/*
The identity headers access-control-service answers with. The gateway forwards exactly these to agent-service
and removes any a client sent itself. Fixed by the contract, so not a value.
*/}}
{{- define "texera-agent.identityHeaders" -}}
- x-user-id
- x-user-name
- x-user-email
- x-user-role
{{- end }}
