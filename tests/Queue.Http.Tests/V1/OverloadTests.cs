using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Akka.Actor;
using Queue.Core.Cluster;
using Queue.Core.Protocol;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Http.Endpoints;

namespace Queue.Http.Tests.V1;

/// <summary>
/// A partition whose mailbox stays full makes /v1 produce fail fast with 429. A real partition
/// drains too quickly to hold full on demand, so the frontend is driven with a mailbox that never
/// takes a message, and the status mapping is checked on its own.
/// </summary>
public sealed class OverloadTests
{
    [Fact]
    public async Task A_node_with_all_its_asks_in_flight_sheds_new_ones_instead_of_queueing()
    {
        using var system = ActorSystem.Create("overload");
        // A partition that never answers holds the node's only in-flight slot.
        var silent = system.ActorOf(Props.Create(() => new Silent()));
        var catalogue = system.ActorOf(Props.Create(() => new OneTopic()));
        var backend = new AkkaQueueBackend(silent, catalogue, maxInFlight: 1, inFlightWait: TimeSpan.FromMilliseconds(20));
        var frontend = new QueueFrontend(backend, new LimitSettings(), requestTimeout: TimeSpan.FromSeconds(30));
        var first = frontend.ProduceBatchAsync("busy", null, null, [new BatchItem("x", null, null)], CancellationToken.None);
        // The first produce looks its topic up before it asks the partition: wait until it holds the slot.
        await Queue.Testing.Eventually.True(() => backend.InFlight == 1, TimeSpan.FromSeconds(20), "the first produce holds the only in-flight slot");

        var error = await Assert.ThrowsAsync<QueueException>(() =>
            frontend.ProduceBatchAsync("busy", null, null, [new BatchItem("y", null, null)], CancellationToken.None));

        Assert.Equal(QueueErrorKind.Overloaded, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Contains("busy/0", error.Message);
        Assert.False(first.IsCompleted);
    }

    [Theory]
    [InlineData(QueueErrorKind.Overloaded, StatusCodes.Status429TooManyRequests, true)]
    [InlineData(QueueErrorKind.Unavailable, StatusCodes.Status503ServiceUnavailable, true)]
    [InlineData(QueueErrorKind.NotFound, StatusCodes.Status404NotFound, false)]
    [InlineData(QueueErrorKind.Conflict, StatusCodes.Status409Conflict, false)]
    [InlineData(QueueErrorKind.TooLarge, StatusCodes.Status413PayloadTooLarge, false)]
    [InlineData(QueueErrorKind.BadRequest, StatusCodes.Status400BadRequest, false)]
    public async Task Error_kinds_map_to_status_codes(QueueErrorKind kind, int status, bool retryAfter)
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        http.Response.Body = new MemoryStream();

        await V1Results.Fail(http, kind, "why").ExecuteAsync(http);

        Assert.Equal(status, http.Response.StatusCode);
        Assert.Equal(retryAfter, http.Response.Headers.RetryAfter.Count > 0);
    }

    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }

    private sealed class OneTopic : ReceiveActor
    {
        public OneTopic() => Receive<GetTopic>(_ => Sender.Tell(new TopicLookup(new TopicInfo("busy", 1))));
    }
}
