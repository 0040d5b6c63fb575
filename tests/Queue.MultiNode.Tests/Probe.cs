using System.Diagnostics;
using System.Net;
using Queue.Testing;

namespace Queue.MultiNode.Tests;

/// <summary>
/// "Does every partition serve?" asked the only honest way: produce one marked message to each
/// partition (explicit partition) and require 200 for all of them. Probe messages are named
/// "probe{producer}-{n}" so they are told apart from the traffic and stay unique across probes.
/// </summary>
public sealed class Probe(HttpClient http, string topic, long producerId)
{
    private int _sent;

    public List<Delivery> Acked { get; } = [];

    public static async Task<Probe> CreateAsync(HttpClient http, string topic) =>
        new(http, topic, await SeedApi.RetryAsync(() => http.RegisterProducerAsync(topic), TimeSpan.FromSeconds(30)));

    /// <summary>Produces to each of <paramref name="partitions"/> until every one has answered 200 once; returns how long that took.</summary>
    public async Task<TimeSpan> UntilAllServeAsync(IEnumerable<int> partitions, TimeSpan timeout, string because)
    {
        var clock = Stopwatch.StartNew();
        var waiting = partitions.ToHashSet();
        await Eventually.True(async () =>
        {
            foreach (var partition in waiting.ToList())
            {
                if (await TryProduceAsync(partition))
                {
                    waiting.Remove(partition);
                }
            }
            return waiting.Count == 0;
        }, timeout, $"{because} (still not serving: {string.Join(", ", waiting)})");
        return clock.Elapsed;
    }

    private async Task<bool> TryProduceAsync(int partition)
    {
        var message = $"probe{producerId}-{Interlocked.Increment(ref _sent)}";
        try
        {
            var (status, body) = await http.ProduceAsync(topic, producerId, message, partition);
            if (status == HttpStatusCode.OK)
            {
                lock (Acked)
                {
                    Acked.Add(new Delivery(body.GetProperty("partition").GetInt32(), body.GetProperty("offset").GetInt64(), message));
                }
                return true;
            }
            if (status != HttpStatusCode.ServiceUnavailable)
            {
                throw new InvalidOperationException($"produce to partition {partition} answered {(int)status}: {body}");
            }
            return false;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
