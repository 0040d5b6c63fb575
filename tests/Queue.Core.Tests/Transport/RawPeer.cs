using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Queue.Core.Transport;

namespace Queue.Core.Tests.Transport;

/// <summary>
/// A peer that speaks the protocol by hand over a plain socket, so tests can send what a real
/// client never would: garbage, oversized frames, forged proofs.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private static readonly MessageCodec Codec = MessageCodec.CreateDefault();
    private readonly Socket _socket;
    private readonly Socket? _listener;
    private readonly Task _serving = Task.CompletedTask;

    private RawPeer(Socket socket, Socket? listener = null, Task? serving = null)
    {
        _socket = socket;
        _listener = listener;
        _serving = serving ?? Task.CompletedTask;
    }

    public int Port => ((IPEndPoint)_listener!.LocalEndPoint!).Port;

    public static async Task<RawPeer> ConnectAsync(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return new RawPeer(socket);
    }

    /// <summary>
    /// Listens on a free port and completes one client's handshake, then reads and ignores
    /// everything: with <paramref name="secret"/> null it answers with a forged (all-zero) proof,
    /// otherwise with a correct one and then plays a peer that has hung.
    /// </summary>
    public static RawPeer FakeServer(string? secret = null)
    {
        var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptAsync();
            var peer = new RawPeer(socket);
            await peer.SendAsync(Frame(FrameKind.HandshakeChallenge, w =>
            {
                w.WriteUInt16(Handshake.ProtocolVersion);
                w.WriteBytes(new byte[Handshake.NonceSize]);
                w.WriteString("fake");
            }));
            var (_, hello) = await peer.ReadFrameAsync();
            var clientNonce = hello[^Handshake.NonceSize..];
            await peer.SendAsync(Frame(FrameKind.HandshakeAck, w =>
            {
                w.WriteString("fake");
                w.WriteBytes(secret is null ? new byte[Handshake.ProofSize] : Handshake.ServerProof(secret, clientNonce, "fake"));
            }));
            await peer.IsClosedByPeerAsync();
        });
        return new RawPeer(new Socket(SocketType.Stream, ProtocolType.Tcp), listener, serving);
    }

    public static byte[] Frame(FrameKind kind, Action<WireWriter> payload, long correlationId = 0)
    {
        using var writer = new WireWriter(Codec);
        FrameFormat.ReserveHeader(writer);
        payload(writer);
        FrameFormat.CompleteHeader(writer, kind, correlationId);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Authenticates the way <see cref="TransportClient"/> does.</summary>
    public async Task HandshakeAsync(string secret, string nodeId)
    {
        var (kind, challenge) = await ReadFrameAsync();
        Assert.Equal(FrameKind.HandshakeChallenge, kind);
        var nonce = challenge.AsSpan(2, Handshake.NonceSize).ToArray();
        await SendAsync(Frame(FrameKind.Handshake, w =>
        {
            w.WriteUInt16(Handshake.ProtocolVersion);
            w.WriteString(nodeId);
            w.WriteBytes(Handshake.ClientProof(secret, nonce, nodeId));
            w.WriteBytes(Handshake.NewNonce());
        }));
        (kind, _) = await ReadFrameAsync();
        Assert.Equal(FrameKind.HandshakeAck, kind);
    }

    public async Task<(FrameKind Kind, byte[] Payload)> ReadFrameAsync()
    {
        var header = await ReceiveExactlyAsync(FrameFormat.HeaderSize);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        var payload = await ReceiveExactlyAsync(length - (FrameFormat.HeaderSize - FrameFormat.LengthSize));
        return ((FrameKind)header[FrameFormat.LengthSize], payload);
    }

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>True once the other side has closed (end of stream or reset); waits up to the tests' patience.</summary>
    public async Task<bool> IsClosedByPeerAsync()
    {
        using var timeout = new CancellationTokenSource(TransportTestKit.Patience);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                if (await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _listener?.Dispose();
        try
        {
            await _serving;
        }
        catch (Exception)
        {
            // The fake server's conversation ends however the client ends it.
        }
    }

    private async Task<byte[]> ReceiveExactlyAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("closed by peer");
            }
            read += n;
        }
        return buffer;
    }
}
