// Every GraphQL operation the dashboard sends. `npm run codegen` turns each into a typed
// document (src/gql/) checked against apps/api/schema.graphql.
import { graphql } from "@/gql";

export const MeQuery = graphql(`
  query Me {
    me {
      id
      email
      name
      role
      team {
        id
        name
      }
    }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      token
      expiresAt
      user {
        id
        name
        role
      }
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export const TeamsQuery = graphql(`
  query Teams {
    teams {
      id
      name
      slug
    }
  }
`);

// ------------------------------------------------------------------ overview

export const OverviewQuery = graphql(`
  query Overview($from: DateTime!, $to: DateTime!, $anomaliesFrom: DateTime!) {
    budgets {
      id
      name
      amountUsd
      period
      alertThresholds
      action
      team {
        id
        name
      }
      model {
        id
        name
      }
      status {
        periodStart
        periodEnd
        spentUsd
        forecastUsd
        utilization
        forecastUtilization
        state
        exhaustsAt
      }
    }
    alerts(acknowledged: false, first: 10) {
      totalCount
      edges {
        node {
          id
          kind
          threshold
          spentUsd
          forecastUsd
          createdAt
          explore {
            path
          }
          budget {
            id
            name
            amountUsd
          }
          overrideRequest {
            requestedBy
            reason
            version {
              id
              number
              model {
                id
              }
            }
          }
        }
      }
    }
    spendAnomalies(from: $anomaliesFrom, to: $to) {
      day
      expectedUsd
      actualUsd
      priceEffectUsd
      volumeEffectUsd
      model {
        id
        name
      }
      version {
        id
        number
      }
    }
    topSpenders(from: $from, to: $to, first: 8) {
      costUsd
      requests
      model {
        id
        name
        team {
          id
          name
        }
      }
    }
    optimizationSavings(from: $from, to: $to, first: 10) {
      totalUsd
      count
      versions {
        requests
        costPerMillionUsd
        sourceCostPerMillionUsd
        savedUsd
        measurable
        model {
          id
          name
        }
        version {
          id
          number
          source
          evaluation {
            metric
            value
          }
          cost {
            costPerMillionUsd
            uncertainty
            backend
            batchSize
            runs
            disturbedRounds
            speedFactor
            measuredAt
            hardwareProfile {
              id
              name
              hourlyPriceUsd
            }
          }
        }
        source {
          id
          number
          evaluation {
            metric
            value
          }
          cost {
            costPerMillionUsd
            uncertainty
            backend
            batchSize
            runs
            disturbedRounds
            speedFactor
            measuredAt
            hardwareProfile {
              id
              name
              hourlyPriceUsd
            }
          }
        }
      }
    }
  }
`);

// ------------------------------------------------------------------ budgets

export const BudgetsQuery = graphql(`
  query Budgets {
    budgets {
      id
      name
      amountUsd
      period
      alertThresholds
      action
      team {
        id
        name
      }
      model {
        id
        name
      }
      status {
        spentUsd
        forecastUsd
        utilization
        forecastUtilization
        state
        exhaustsAt
        periodEnd
      }
    }
  }
`);

export const BudgetFormOptionsQuery = graphql(`
  query BudgetFormOptions {
    teams {
      id
      name
    }
    models(first: 100) {
      edges {
        node {
          id
          name
          team {
            id
          }
        }
      }
    }
    optimizationPolicies {
      id
      name
      team {
        id
      }
      model {
        id
      }
    }
  }
`);

export const BudgetQuery = graphql(`
  query Budget($id: ID!) {
    budget(id: $id) {
      id
      name
      amountUsd
      period
      alertThresholds
      action
      createdAt
      updatedAt
      team {
        id
        name
      }
      model {
        id
        name
      }
      policy {
        id
        name
      }
      status {
        periodStart
        periodEnd
        spentUsd
        forecastUsd
        utilization
        forecastUtilization
        state
        exhaustsAt
      }
    }
  }
`);

export const BudgetDetailQuery = graphql(`
  query BudgetDetail($id: ID!, $teamId: ID, $modelId: ID, $from: DateTime!, $to: DateTime!) {
    spend(teamId: $teamId, modelId: $modelId, from: $from, to: $to, granularity: DAY) {
      periodStart
      costUsd
      requests
    }
    alerts(budgetId: $id, first: 50) {
      totalCount
      edges {
        node {
          id
          kind
          threshold
          spentUsd
          forecastUsd
          periodStart
          createdAt
          acknowledgedAt
          acknowledgedBy {
            id
            name
          }
          overrideRequest {
            requestedBy
            reason
            version {
              id
              number
              model {
                id
              }
            }
          }
          explore {
            path
          }
        }
      }
    }
  }
`);

export const CreateBudgetMutation = graphql(`
  mutation CreateBudget($input: CreateBudgetInput!) {
    createBudget(input: $input) {
      id
    }
  }
`);

export const UpdateBudgetMutation = graphql(`
  mutation UpdateBudget($id: ID!, $input: UpdateBudgetInput!) {
    updateBudget(id: $id, input: $input) {
      id
    }
  }
`);

export const DeleteBudgetMutation = graphql(`
  mutation DeleteBudget($id: ID!) {
    deleteBudget(id: $id)
  }
`);

export const AcknowledgeAlertMutation = graphql(`
  mutation AcknowledgeAlert($id: ID!) {
    acknowledgeAlert(id: $id) {
      id
      acknowledgedAt
    }
  }
`);

// ------------------------------------------------------------------ models

export const ModelsQuery = graphql(`
  query Models($search: String, $first: Int!, $after: String) {
    models(search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          task
          description
          createdAt
          team {
            id
            name
          }
          versions(first: 1) {
            totalCount
          }
          productionVersion {
            id
            number
            cost {
              costPerMillionUsd
              uncertainty
              backend
              batchSize
              runs
              disturbedRounds
              speedFactor
              measuredAt
              hardwareProfile {
                id
                name
                hourlyPriceUsd
              }
            }
            evaluation {
              metric
              value
            }
          }
        }
      }
    }
  }
`);

export const CreateModelMutation = graphql(`
  mutation CreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      id
    }
  }
`);

/** The model page's title: a name only, so the page's metadata does not repeat its big query. */
export const ModelTitleQuery = graphql(`
  query ModelTitle($id: ID!) {
    model(id: $id) {
      id
      name
    }
  }
`);

export const ModelQuery = graphql(`
  query Model($id: ID!) {
    model(id: $id) {
      id
      name
      description
      task
      classNames
      createdAt
      team {
        id
        name
      }
      productionVersion {
        id
        number
      }
      datasets {
        id
        name
        role
        rows
        format
        labels
        preprocessing
        createdAt
        artifact {
          sizeBytes
        }
      }
      versions(first: 100) {
        totalCount
        edges {
          node {
            id
            number
            source
            recipe
            stage
            status
            statusMessage
            createdAt
            notes
            parent {
              id
              number
            }
            parameterCount
            nonZeroParameterCount
            weightDtypes
            evaluation {
              metric
              value
              evaluatedAt
              dataset {
                id
                name
              }
            }
            artifact {
              sizeBytes
            }
            cost {
              id
              latencyP50Ms
              throughputPerSecond
              modelSizeBytes
              costPerMillionUsd
              uncertainty
              backend
              batchSize
              runs
              disturbedRounds
              speedFactor
              measuredAt
              hardwareProfile {
                id
                name
                hourlyPriceUsd
              }
            }
            costs {
              id
              latencyP50Ms
              modelSizeBytes
              throughputPerSecond
              costPerMillionUsd
              uncertainty
              backend
              batchSize
              runs
              disturbedRounds
              speedFactor
              measuredAt
              hardwareProfile {
                id
                name
                hourlyPriceUsd
              }
            }
            comparedToParent {
              parent {
                id
                number
              }
              hardwareProfile {
                name
              }
              throughputRatio
              low
              high
              significant
              rounds
              measuredAt
            }
          }
        }
      }
    }
  }
`);

export const RegisterModelVersionMutation = graphql(`
  mutation RegisterModelVersion($input: RegisterModelVersionInput!) {
    registerModelVersion(input: $input) {
      id
      number
    }
  }
`);

export const RegisterDatasetMutation = graphql(`
  mutation RegisterDataset($input: RegisterDatasetInput!) {
    registerDataset(input: $input) {
      id
      name
      role
      rows
      format
    }
  }
`);

export const PromotionPreviewQuery = graphql(`
  query PromotionPreview($versionId: ID!) {
    promotionPreview(versionId: $versionId) {
      currentMonthlyUsd
      projectedMonthlyUsd
      deltaMonthlyUsd
      withinBudget
      gateRefuses
      trafficRequests
      remainingUsd
      budget {
        id
        name
        amountUsd
        action
        status {
          spentUsd
        }
      }
    }
  }
`);

/** ML_ENGINEER/ADMIN: ask the team's ADMIN/FINANCE to override the cost gate's refusal. */
export const RequestPromotionOverrideMutation = graphql(`
  mutation RequestPromotionOverride($versionId: ID!, $reason: String!) {
    requestPromotionOverride(versionId: $versionId, stage: PRODUCTION, reason: $reason) {
      id
      budget {
        id
        name
      }
    }
  }
`);

/** ML_ENGINEER/ADMIN: queue a new cost measurement (on a hardware profile; the default when null). */
export const RemeasureVersionMutation = graphql(`
  mutation RemeasureVersion($versionId: ID!, $hardwareProfileId: ID) {
    remeasureModelVersion(versionId: $versionId, hardwareProfileId: $hardwareProfileId) {
      id
      number
    }
  }
`);

/** ML_ENGINEER/ADMIN: queue a new evaluation on the model's current EVALUATION dataset. */
export const ReevaluateVersionMutation = graphql(`
  mutation ReevaluateVersion($versionId: ID!) {
    reevaluateModelVersion(versionId: $versionId) {
      id
      number
    }
  }
`);

/** The hardware a version can be re-measured on. */
export const MeasureProfilesQuery = graphql(`
  query MeasureProfiles {
    hardwareProfiles {
      id
      name
      hourlyPriceUsd
      isDefault
    }
  }
`);

export const PromoteMutation = graphql(`
  mutation Promote($input: PromoteModelVersionInput!) {
    promoteModelVersion(input: $input) {
      version {
        id
        number
        stage
      }
      projection {
        projectedMonthlyUsd
        deltaMonthlyUsd
        withinBudget
      }
    }
  }
`);

// ------------------------------------------------------------------ policies and jobs

export const PoliciesQuery = graphql(`
  query Policies {
    optimizationPolicies {
      id
      name
      maxAccuracyDrop
      trigger
      autoPromote
      enabled
      createdAt
      team {
        id
        name
      }
      model {
        id
        name
      }
      hardwareProfile {
        id
        name
      }
      effectiveHardwareProfile {
        id
        name
      }
      steps {
        kind
        params
      }
    }
  }
`);

export const PolicyFormOptionsQuery = graphql(`
  query PolicyFormOptions {
    teams {
      id
      name
    }
    models(first: 100) {
      edges {
        node {
          id
          name
          team {
            id
          }
        }
      }
    }
    hardwareProfiles {
      id
      name
      isDefault
      hourlyPriceUsd
    }
  }
`);

export const PolicyQuery = graphql(`
  query Policy($id: ID!) {
    optimizationPolicy(id: $id) {
      id
      name
      maxAccuracyDrop
      trigger
      autoPromote
      enabled
      createdAt
      updatedAt
      team {
        id
        name
      }
      model {
        id
        name
      }
      hardwareProfile {
        id
        name
      }
      effectiveHardwareProfile {
        id
        name
      }
      steps {
        kind
        params
      }
    }
  }
`);

/** The edit form's choices: team and model cannot change, so only the hardware profiles. */
export const PolicyEditOptionsQuery = graphql(`
  query PolicyEditOptions {
    hardwareProfiles {
      id
      name
      isDefault
      hourlyPriceUsd
    }
  }
`);

/** The run form of a policy for one model: that model's latest versions (the page keeps the READY ones). */
export const PolicyModelVersionsQuery = graphql(`
  query PolicyModelVersions($modelId: ID!) {
    model(id: $modelId) {
      id
      name
      versions(first: 100) {
        edges {
          node {
            id
            number
            source
            status
            stage
            createdAt
          }
        }
      }
    }
  }
`);

/** The run form of a team-wide policy: the team's newest models, each with its latest versions. */
export const PolicyTeamVersionsQuery = graphql(`
  query PolicyTeamVersions($teamId: ID!) {
    models(teamId: $teamId, first: 50) {
      edges {
        node {
          id
          name
          versions(first: 20) {
            edges {
              node {
                id
                number
                source
                status
                stage
                createdAt
              }
            }
          }
        }
      }
    }
  }
`);

/** Latest jobs (of the policy's model when it has one); the page keeps the policy's own. */
export const PolicyJobsQuery = graphql(`
  query PolicyJobs($policyId: ID!) {
    optimizationJobs(policyId: $policyId, first: 20) {
      edges {
        node {
          id
          status
          createdAt
          policy {
            id
          }
          sourceVersion {
            number
            model {
              name
            }
          }
        }
      }
    }
  }
`);

export const CreatePolicyMutation = graphql(`
  mutation CreatePolicy($input: CreateOptimizationPolicyInput!) {
    createOptimizationPolicy(input: $input) {
      id
    }
  }
`);

export const UpdatePolicyMutation = graphql(`
  mutation UpdatePolicy($id: ID!, $input: UpdateOptimizationPolicyInput!) {
    updateOptimizationPolicy(id: $id, input: $input) {
      id
      enabled
    }
  }
`);

export const RunPolicyMutation = graphql(`
  mutation RunPolicy($policyId: ID!, $versionId: ID!) {
    runOptimizationPolicy(policyId: $policyId, versionId: $versionId) {
      id
    }
  }
`);

export const JobsQuery = graphql(`
  query Jobs($status: JobStatus, $first: Int!, $after: String) {
    optimizationJobs(status: $status, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          status
          progress
          stage
          createdAt
          startedAt
          finishedAt
          queuePosition
          triggeredBy
          policy {
            id
            name
          }
          model {
            id
            name
          }
          sourceVersion {
            id
            number
          }
          bestVersion {
            id
            number
          }
        }
      }
    }
  }
`);

export const JobQuery = graphql(`
  query Job($id: ID!) {
    optimizationJob(id: $id) {
      id
      status
      progress
      stage
      error
      attempts
      triggeredBy
      cancelRequested
      result
      createdAt
      startedAt
      finishedAt
      queuePosition
      policy {
        id
        name
        maxAccuracyDrop
      }
      model {
        id
        name
      }
      steps {
        kind
        params
      }
      sourceVersion {
        id
        number
        evaluation {
          metric
          value
        }
        cost {
          costPerMillionUsd
          uncertainty
          backend
          batchSize
          runs
          disturbedRounds
          speedFactor
          measuredAt
          hardwareProfile {
            id
            name
            hourlyPriceUsd
          }
        }
      }
      bestVersion {
        id
        number
      }
      bestEffortVersion {
        id
        number
      }
      frontier {
        id
      }
      candidates {
        id
        number
        source
        recipe
        stage
        status
        statusMessage
        evaluation {
          metric
          value
        }
        cost {
          latencyP50Ms
          throughputPerSecond
          modelSizeBytes
          costPerMillionUsd
          uncertainty
          backend
          batchSize
          runs
          disturbedRounds
          speedFactor
          measuredAt
          hardwareProfile {
            id
            name
            hourlyPriceUsd
          }
        }
        comparedToParent {
          parent {
            id
            number
          }
          hardwareProfile {
            name
          }
          throughputRatio
          low
          high
          significant
          rounds
          measuredAt
        }
      }
    }
  }
`);

export const CancelJobMutation = graphql(`
  mutation CancelJob($id: ID!) {
    cancelOptimizationJob(id: $id) {
      id
      status
      cancelRequested
    }
  }
`);

// ------------------------------------------------------------------ admin

export const HardwareProfilesQuery = graphql(`
  query HardwareProfiles {
    hardwareProfiles {
      id
      name
      hourlyPriceUsd
      vcpus
      memoryGiB
      batchSize
      description
      priceSource
      isDefault
    }
  }
`);

export const UpsertHardwareProfileMutation = graphql(`
  mutation UpsertHardwareProfile($input: HardwareProfileInput!) {
    upsertHardwareProfile(input: $input) {
      id
      name
    }
  }
`);

export const UsersQuery = graphql(`
  query UsersAndKeys {
    users {
      id
      name
      email
      role
      deactivatedAt
      team {
        id
        name
      }
    }
    apiKeys {
      id
      name
      role
      prefix
      createdAt
      lastUsedAt
      revokedAt
      team {
        id
        name
      }
    }
    teams {
      id
      name
    }
  }
`);

/** ADMIN: rename a user, change its role or team, deactivate or reactivate it. */
export const UpdateUserMutation = graphql(`
  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) {
      id
      name
      deactivatedAt
    }
  }
`);

export const CreateUserMutation = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      id
      email
    }
  }
`);

export const CreateTeamMutation = graphql(`
  mutation CreateTeam($input: CreateTeamInput!) {
    createTeam(input: $input) {
      id
      name
    }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey {
        id
        name
        prefix
        role
      }
    }
  }
`);

export const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`);

export const CreateWebhookMutation = graphql(`
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) {
      id
      url
      events
      format
      createdAt
    }
  }
`);

export const WebhooksQuery = graphql(`
  query Webhooks($deliveries: Int!) {
    teams {
      id
      name
    }
    webhooks {
      id
      url
      events
      format
      enabled
      createdAt
      team {
        id
        name
      }
      deliveries(first: $deliveries) {
        id
        event
        status
        attempts
        createdAt
        deliveredAt
        nextAttemptAt
        payload
        lastAttempt {
          statusCode
          durationMs
          error
          createdAt
        }
      }
    }
  }
`);

export const UpdateWebhookMutation = graphql(`
  mutation UpdateWebhook($id: ID!, $input: UpdateWebhookInput!) {
    updateWebhook(id: $id, input: $input) {
      id
      enabled
    }
  }
`);

export const SendTestWebhookMutation = graphql(`
  mutation SendTestWebhook($webhookId: ID!) {
    sendTestWebhook(webhookId: $webhookId) {
      id
    }
  }
`);

export const DeleteWebhookMutation = graphql(`
  mutation DeleteWebhook($id: ID!) {
    deleteWebhook(id: $id)
  }
`);

export const AuditQuery = graphql(`
  query Audit($entityType: String, $entityId: ID, $action: String, $actor: String, $first: Int!, $after: String) {
    auditEvents(
      entityType: $entityType
      entityId: $entityId
      action: $action
      actor: $actor
      first: $first
      after: $after
    ) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          actor
          actorName
          action
          entityType
          entityId
          entity {
            name
            modelId
            budgetId
          }
          before
          after
          createdAt
        }
      }
    }
  }
`);

export const SpendExplorerQuery = graphql(`
  query SpendExplorer(
    $teamId: ID
    $modelId: ID
    $from: DateTime!
    $to: DateTime!
    $groupBy: SpendGroupBy!
    $tagKey: String
    $tag: TagInput
  ) {
    spendBreakdown(
      teamId: $teamId
      modelId: $modelId
      from: $from
      to: $to
      granularity: DAY
      groupBy: $groupBy
      tagKey: $tagKey
      tag: $tag
    ) {
      periodStart
      group
      groupLabel
      costUsd
      requests
    }
    models(teamId: $teamId, first: 100) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);
