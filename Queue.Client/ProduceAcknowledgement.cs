namespace Queue.Client;

/// <summary>The server's answer to a batch: where each message went, in the order sent.</summary>
/// <param name="Offsets">One offset per message, in request order.</param>
/// <param name="Duplicate">True when the batch was a retry the server had already committed: nothing new was written.</param>
public sealed record ProduceAcknowledgement(IReadOnlyList<MessageOffset> Offsets, bool Duplicate);
