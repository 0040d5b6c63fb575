using System.Diagnostics;
using System.Text.Json;
using Queue.Core.Protocol;
using Queue.Core.Transport;
using Xunit.Abstractions;

namespace Queue.Core.Tests.Transport;

[CollectionDefinition(nameof(TransportMeasurements), DisableParallelization = true)]
public sealed class TransportMeasurementsCollection;

/// <summary>
/// Numbers for the report, printed and never asserted. Run alone (no other test class in
/// parallel) so the busy loops here neither disturb other tests nor get disturbed by them:
/// <c>dotnet test tests/Queue.Core.Tests -c Release --filter FullyQualifiedName~TransportMeasurements --logger "console;verbosity=detailed"</c>.
/// </summary>
[Collection(nameof(TransportMeasurements))]
public sealed class TransportMeasurements(ITestOutputHelper output)
{
    [Fact]
    public async Task Transport_round_trips_and_write_batching()
    {
        // Prints only. Sequential requests show the round-trip latency; concurrent callers show
        // how many frames the writer loops put in one socket write.
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);
        for (var i = 0; i < 500; i++)
        {
            await client.RequestAsync(new Echo("warm-up"), CancellationToken.None);
        }

        // Best of five rounds: the machine is shared, the least disturbed round says most.
        const int sequential = 1_000;
        var best = double.MaxValue;
        var stopwatch = new Stopwatch();
        for (var round = 0; round < 5; round++)
        {
            stopwatch.Restart();
            for (var i = 0; i < sequential; i++)
            {
                await client.RequestAsync(new Echo("x"), CancellationToken.None);
            }
            best = Math.Min(best, stopwatch.Elapsed.TotalMicroseconds / sequential);
        }
        output.WriteLine($"sequential: {best:0.0} µs per round trip (best of 5 rounds of {sequential})");

        foreach (var callers in new[] { 1, 16, 128 })
        {
            var (framesBefore, writesBefore) = (client.Counters.FramesSent, client.Counters.SocketWrites);
            var (serverFramesBefore, serverWritesBefore) = (server.Counters.FramesSent, server.Counters.SocketWrites);
            const int total = 10_000;
            stopwatch.Restart();
            await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < total / callers; i++)
                {
                    await client.RequestAsync(new Echo("0123456789"), CancellationToken.None);
                }
            })));
            var elapsed = stopwatch.Elapsed;
            var frames = client.Counters.FramesSent - framesBefore;
            var writes = client.Counters.SocketWrites - writesBefore;
            var serverFrames = server.Counters.FramesSent - serverFramesBefore;
            var serverWrites = server.Counters.SocketWrites - serverWritesBefore;
            output.WriteLine($"{callers,3} concurrent callers: {frames / elapsed.TotalSeconds:0} requests/s; " +
                $"requests per client write {(double)frames / writes:0.0}, responses per server write {(double)serverFrames / serverWrites:0.0}");
        }
    }

    [Fact]
    public void Codec_encode_and_decode_of_a_100_byte_append()
    {
        // Prints only: timing belongs in reports, not in assertions.
        var codec = MessageCodec.CreateDefault();
        var single = new AppendMessages([new ProduceItem(new string('m', 100), 12345)]);
        var batch = new AppendMessages(Enumerable.Range(0, 100).Select(i => new ProduceItem(new string('m', 100), i)).ToList());
        foreach (var (name, message, iterations) in new[] { ("1 x 100 B", single, 200_000), ("100 x 100 B", batch, 5_000) })
        {
            int bytes;
            using (var sample = codec.Encode(message))
            {
                bytes = sample.WrittenCount;
            }
            var binary = Time(iterations, () =>
            {
                using var writer = codec.Encode(message);
                _ = codec.Decode(writer.WrittenSpan);
            });
            var json = JsonSerializer.SerializeToUtf8Bytes(message);
            var reflectionJson = Time(iterations / 4, () =>
            {
                var utf8 = JsonSerializer.SerializeToUtf8Bytes(message);
                _ = JsonSerializer.Deserialize<AppendMessagesJson>(utf8);
            });
            output.WriteLine($"AppendMessages {name}: binary {bytes} B, encode+decode {binary:0} ns/op; " +
                $"reflection System.Text.Json {json.Length} B, {reflectionJson:0} ns/op (reference)");
        }
    }

    /// <summary>
    /// Best of five rounds after a warm-up: the machine is shared, and the fastest round is the
    /// one least disturbed by other work (and by the JIT still tiering up).
    /// </summary>
    private static double Time(int iterations, Action action)
    {
        for (var i = 0; i < Math.Min(iterations, 50_000); i++)
        {
            action();
        }
        var best = double.MaxValue;
        var perRound = Math.Max(iterations / 5, 1);
        for (var round = 0; round < 5; round++)
        {
            var stopwatch = Stopwatch.StartNew();
            for (var i = 0; i < perRound; i++)
            {
                action();
            }
            best = Math.Min(best, stopwatch.Elapsed.TotalNanoseconds / perRound);
        }
        return best;
    }

    private sealed record AppendMessagesJson(List<ProduceItem> Items);
}
