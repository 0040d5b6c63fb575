namespace Queue.Core.Transport;

/// <summary>
/// Collects message registrations before a <see cref="MessageCodec"/> is built. Each protocol adds
/// its types with one <see cref="Register{T}"/> call per type, normally in an extension method
/// (see <see cref="ProtocolCodecs"/>), with a type id from its own range:
/// 1-99 built-ins and transport envelopes, 100-199 partition protocol, 200-299 cluster protocol,
/// 1000+ free for tests and experiments. Ids are part of the wire protocol: never reuse one.
/// </summary>
public sealed class MessageCodecBuilder
{
    private readonly List<MessageCodec.Registration> _registrations = [];
    private readonly HashSet<ushort> _ids = [];
    private readonly HashSet<Type> _types = [];

    /// <exception cref="ArgumentException">The id or the type is registered already, or the id is 0 (null).</exception>
    public MessageCodecBuilder Register<T>(ushort typeId, WireEncoder<T> encoder, WireDecoder<T> decoder)
        where T : notnull
    {
        if (typeId == 0)
        {
            throw new ArgumentException("type id 0 stands for null", nameof(typeId));
        }
        if (!_ids.Add(typeId))
        {
            throw new ArgumentException($"type id {typeId} is registered already", nameof(typeId));
        }
        if (!_types.Add(typeof(T)))
        {
            _ids.Remove(typeId);
            throw new ArgumentException($"{typeof(T).FullName} is registered already", nameof(T));
        }
        _registrations.Add(new MessageCodec.Registration<T>(typeId, encoder, decoder));
        return this;
    }

    public MessageCodec Build() => new(_registrations);
}
