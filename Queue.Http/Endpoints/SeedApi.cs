using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Queue.Core.Edge;
using Queue.Core.Log;
using Queue.Http.Contracts;

namespace Queue.Http.Endpoints;

/// <summary>
/// The assignments' endpoints (design.md §5, seed-compatible API). Every handler reads its input
/// through <see cref="RequestFields"/>, asks <see cref="QueueFrontend"/>, and answers 200 with the
/// seeds' shape; failures go through <see cref="SeedResults"/> (400 for client mistakes, 503 for
/// retryable trouble), so no client mistake produces a 5xx.
/// </summary>
public static class SeedApi
{
    private const string Success = "success";

    public static IEndpointRouteBuilder MapSeedApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/topics", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (_, ct) =>
            Results.Json(new TopicsResponse(Success, await queue.ListTopicsAsync(ct)), SeedJson.Context.TopicsResponse)));

        app.MapPost("/topics", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var partitions = input.OptionalInt(["number_of_partitions", "partitions", "num_partitions"], "number_of_partitions");
            var topic = await queue.CreateTopicAsync(input.RequireTopic(), partitions, ct);
            return Results.Json(new MessageResponse(Success, $"Topic '{topic.Name}' created successfully"), SeedJson.Context.MessageResponse);
        }));

        app.MapGet("/topics/partition", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var topic = await queue.GetTopicAsync(input.RequireTopic(), ct);
            return Results.Json(new PartitionsResponse(Success, Enumerable.Range(0, topic.Partitions).ToList()), SeedJson.Context.PartitionsResponse);
        }));

        app.MapPost("/producer/register", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var producer = await queue.RegisterProducerAsync(input.RequireTopic(), input.Partition, ct);
            return Results.Json(new ProducerRegisteredResponse(Success, producer.Id, producer.Partition), SeedJson.Context.ProducerRegisteredResponse);
        }));

        app.MapPost("/consumer/register", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var consumer = await queue.RegisterConsumerAsync(input.RequireTopic(), input.Partition, ParseFrom(input.Text("from")), ct);
            return Results.Json(new ConsumerRegisteredResponse(Success, consumer.Id, consumer.Partition), SeedJson.Context.ConsumerRegisteredResponse);
        }));

        app.MapPost("/producer/produce", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var result = await queue.ProduceAsync(
                input.RequireTopic(), input.RequireId("producer_id"), input.RequireText("message"), input.Partition, input.Text("key"), ct);
            return Results.Json(new ProducedResponse(Success, result.Partition, result.Offset), SeedJson.Context.ProducedResponse);
        }));

        app.MapGet("/consumer/consume", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var result = await queue.ConsumeAsync(input.RequireTopic(), input.RequireId("consumer_id"), input.Partition, ct);
            return Results.Json(
                new ConsumedResponse(Success, result.Message.Payload, result.Partition, result.Message.Offset), SeedJson.Context.ConsumedResponse);
        }));

        app.MapGet("/size", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var size = await queue.SizeAsync(input.RequireTopic(), input.RequireId("consumer_id"), input.Partition, ct);
            return Results.Json(new SizeResponse(Success, size), SeedJson.Context.SizeResponse);
        }));

        app.MapGet("/health", (NodeDescription node) =>
            Results.Json(new HealthResponse(Success, node.NodeId, node.Roles, node.JournalKind), SeedJson.Context.HealthResponse));

        return app;
    }

    private static StartFrom ParseFrom(string? text) => text?.Trim().ToLower(CultureInfo.InvariantCulture) switch
    {
        null or "" or "latest" or "end" => StartFrom.Latest,
        "earliest" or "beginning" or "start" => StartFrom.Earliest,
        _ => throw RequestFields.Bad($"Field 'from' must be 'latest' or 'earliest', got '{text}'"),
    };
}
