namespace Queue.Core.Edge;

/// <summary>What went wrong, in terms an API maps to a status code.</summary>
public enum QueueErrorKind
{
    /// <summary>Malformed or missing input, or input that breaks a rule (400).</summary>
    BadRequest,

    /// <summary>An unknown topic, producer or consumer (404 on /v1, 400 on the seed API).</summary>
    NotFound,

    /// <summary>The request contradicts existing state, e.g. the topic exists (409 on /v1).</summary>
    Conflict,

    /// <summary>A message or name over its configured limit (413 on /v1).</summary>
    TooLarge,

    /// <summary>Nothing left to consume (400 on the seed API).</summary>
    Empty,

    /// <summary>The cluster cannot serve this now; retrying may succeed (503).</summary>
    Unavailable,

    /// <summary>The partition's queue stayed full; retry after a pause (429 on /v1, 503 on the seed API).</summary>
    Overloaded,
}
