namespace Queue.Core.Actors;

/// <summary>Marks a message whose sender expects a reply of type <typeparamref name="TReply"/>.</summary>
public interface IAsk<TReply>;
