using System.Security.Cryptography;
using System.Text;

namespace Queue.Core.Transport;

/// <summary>
/// Challenge-response over the shared cluster secret, so the secret never crosses the network:
/// <list type="number">
/// <item>server → HandshakeChallenge [uint16 version][32-byte nonce][string server node id]</item>
/// <item>client → Handshake [uint16 version][string client node id][32-byte proof][32-byte client nonce],
///   proof = HMAC-SHA256(secret, "aq-client" ‖ server nonce ‖ UTF-8 client node id)</item>
/// <item>server → HandshakeAck [string server node id][32-byte proof],
///   proof = HMAC-SHA256(secret, "aq-server" ‖ client nonce ‖ UTF-8 server node id);
///   or HandshakeRefuse [string reason] and close.</item>
/// </list>
/// Both sides check a proof, so a client also refuses a server that does not know the secret.
/// The labels keep a client proof from being replayed as a server proof. Proofs are compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/> so timing reveals nothing about how much
/// of a forged proof was right. An empty secret (insecure-dev only) still runs the same exchange.
/// </summary>
internal static class Handshake
{
    public const ushort ProtocolVersion = 1;

    public const int NonceSize = 32;

    public const int ProofSize = 32;

    /// <summary>Handshake frames are tiny; an unauthenticated peer gets no more buffer than this.</summary>
    public const int MaxHandshakeFrameBytes = 4096;

    private static ReadOnlySpan<byte> ClientLabel => "aq-client"u8;

    private static ReadOnlySpan<byte> ServerLabel => "aq-server"u8;

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(NonceSize);

    public static byte[] ClientProof(string secret, ReadOnlySpan<byte> serverNonce, string clientNodeId) =>
        Proof(secret, ClientLabel, serverNonce, clientNodeId);

    public static byte[] ServerProof(string secret, ReadOnlySpan<byte> clientNonce, string serverNodeId) =>
        Proof(secret, ServerLabel, clientNonce, serverNodeId);

    public static bool Verify(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual) =>
        CryptographicOperations.FixedTimeEquals(expected, actual);

    private static byte[] Proof(string secret, ReadOnlySpan<byte> label, ReadOnlySpan<byte> nonce, string nodeId)
    {
        var nodeIdBytes = Encoding.UTF8.GetBytes(nodeId);
        var data = new byte[label.Length + nonce.Length + nodeIdBytes.Length];
        label.CopyTo(data);
        nonce.CopyTo(data.AsSpan(label.Length));
        nodeIdBytes.CopyTo(data.AsSpan(label.Length + nonce.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data);
    }
}
