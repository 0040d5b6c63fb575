using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Queue.Core.Serialization;

// TEMPORARY stub, replaced by the serializer branch.
public sealed class QueueSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public static Config Config { get; } = Config.Empty;

    public override int Identifier => 1_700_001;

    public override byte[] ToBinary(object obj) => throw new NotSupportedException();

    public override object FromBinary(byte[] bytes, string manifest) => throw new NotSupportedException();

    public override string Manifest(object o) => throw new NotSupportedException();
}
