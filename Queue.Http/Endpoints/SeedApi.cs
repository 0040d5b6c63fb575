using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Queue.Core.Edge;
using Queue.Core.Log;
using Queue.Http.Contracts;

namespace Queue.Http.Endpoints;

/// <summary>
/// The assignments' endpoints (design.md §5, seed-compatible API). Every handler reads its input
/// through <see cref="RequestFields"/>, asks <see cref="QueueFrontend"/>, and answers 200 with the
/// seeds' shape; failures go through <see cref="SeedResults"/> (400 for client mistakes, 413 for
/// anything too large, 503 for retryable trouble), so no client mistake produces a 5xx.
/// </summary>
public static class SeedApi
{
    private const string Success = "success";
    private const string Tag = "seed";

    private static readonly string PartitionText =
        $"Partition; also spelled {string.Join(", ", RequestFields.PartitionNames.Skip(1))}. Any other field starting with 'part' is refused (400). " +
        "Every field may come in the query string, a form body or a JSON body";

    public static IEndpointRouteBuilder MapSeedApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/topics", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (_, ct) =>
            Results.Json(new TopicsResponse(Success, await queue.ListTopicsAsync(ct)), SeedJson.Context.TopicsResponse)))
            .WithTags(Tag).WithSummary("List topic names").Produces<TopicsResponse>();

        app.MapPost("/topics", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var partitions = input.OptionalInt(["number_of_partitions", "partitions", "num_partitions"], "number_of_partitions");
            var topic = await queue.CreateTopicAsync(input.RequireTopic(), partitions, ct);
            return Results.Json(new MessageResponse(Success, $"Topic '{topic.Name}' created successfully"), SeedJson.Context.MessageResponse);
        })).WithTags(Tag).WithSummary("Create a topic").WithSeedQuery(false, ("number_of_partitions", "Partitions; also spelled partitions, num_partitions", true))
            .Produces<MessageResponse>().SeedFailures(400, 413);

        app.MapGet("/topics/partition", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var topic = await queue.GetTopicAsync(input.RequireTopic(), ct);
            return Results.Json(new PartitionsResponse(Success, Enumerable.Range(0, topic.Partitions).ToList()), SeedJson.Context.PartitionsResponse);
        })).WithTags(Tag).WithSummary("A topic's partition numbers").WithSeedQuery(false).Produces<PartitionsResponse>().SeedFailures(400, 413);

        app.MapPost("/producer/register", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var producer = await queue.RegisterProducerAsync(input.RequireTopic(), input.Partition, ct);
            return Results.Json(new ProducerRegisteredResponse(Success, producer.Id, producer.Partition), SeedJson.Context.ProducerRegisteredResponse);
        })).WithTags(Tag).WithSummary("Register a producer (creates the topic if missing)").WithSeedQuery(true)
            .Produces<ProducerRegisteredResponse>().SeedFailures(400, 413, 503);

        app.MapPost("/consumer/register", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var consumer = await queue.RegisterConsumerAsync(input.RequireTopic(), input.Partition, ParseFrom(input.Text("from")), ct);
            return Results.Json(new ConsumerRegisteredResponse(Success, consumer.Id, consumer.Partition), SeedJson.Context.ConsumerRegisteredResponse);
        })).WithTags(Tag).WithSummary("Register a consumer on an existing topic").WithSeedQuery(true, ("from", "latest (default) or earliest", false))
            .Produces<ConsumerRegisteredResponse>().SeedFailures(400, 413, 503);

        app.MapPost("/producer/produce", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var result = await queue.ProduceAsync(
                input.RequireTopic(), input.RequireId("producer_id"), input.RequireText("message"), input.Partition, input.Text("key"), ct);
            return Results.Json(new ProducedResponse(Success, result.Partition, result.Offset), SeedJson.Context.ProducedResponse);
        })).WithTags(Tag).WithSummary("Append one message")
            .WithSeedQuery(true, ("producer_id", "Producer id", true), ("message", "The message", false), ("key", "Same key, same partition", false))
            .Produces<ProducedResponse>().SeedFailures(400, 413, 503);

        app.MapGet("/consumer/consume", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var result = await queue.ConsumeAsync(input.RequireTopic(), input.RequireId("consumer_id"), input.Partition, ct);
            return Results.Json(
                new ConsumedResponse(Success, result.Message.Payload, result.Partition, result.Message.Offset), SeedJson.Context.ConsumedResponse);
        })).WithTags(Tag).WithSummary("Take the consumer's next message (at-most-once)").WithSeedQuery(true, ("consumer_id", "Consumer id", true))
            .Produces<ConsumedResponse>().SeedFailures(400, 413, 503);

        app.MapGet("/size", (HttpContext http, QueueFrontend queue) => SeedResults.Run(http, async (input, ct) =>
        {
            var sizes = await queue.PartitionSizesAsync(input.RequireTopic(), input.RequireId("consumer_id"), input.Partition, ct);
            return Results.Json(new SizeResponse(Success, sizes.Sum(s => s.Size), sizes.Select(s => new PartitionSize(s.Partition, s.Size)).ToList()),
                SeedJson.Context.SizeResponse);
        })).WithTags(Tag).WithSummary("Messages left for the consumer: size in total, sizes per partition it reads, in partition order")
            .WithSeedQuery(true, ("consumer_id", "Consumer id", true)).Produces<SizeResponse>().SeedFailures(400, 413, 503);

        app.MapGet("/health", (NodeDescription node) =>
            Results.Json(new HealthResponse(Success, node.NodeId, node.Roles, node.JournalKind), SeedJson.Context.HealthResponse))
            .WithTags(Tag).WithSummary("The node, its roles and its journal").Produces<HealthResponse>();

        return app;
    }

    /// <summary>
    /// Documents the fields a seed endpoint reads (the handlers read them leniently themselves,
    /// which hides them from the generated document) as query parameters, the spelling every
    /// client can use; the topic always, the partition where <paramref name="partition"/>.
    /// </summary>
    private static RouteHandlerBuilder WithSeedQuery(this RouteHandlerBuilder builder, bool partition, params (string Name, string Description, bool Integer)[] fields) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(Parameter("topic_name", "Topic; also spelled name, topic", integer: false, required: true));
            if (partition)
            {
                operation.Parameters.Add(Parameter("partition", PartitionText, integer: true, required: false));
            }
            foreach (var (name, description, integer) in fields)
            {
                operation.Parameters.Add(Parameter(name, description, integer, required: name.EndsWith("_id", StringComparison.Ordinal)));
            }
            return Task.CompletedTask;
        });

    private static OpenApiParameter Parameter(string name, string description, bool integer, bool required) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Required = required,
        Schema = new OpenApiSchema { Type = integer ? JsonSchemaType.Integer : JsonSchemaType.String },
    };

    private static RouteHandlerBuilder SeedFailures(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.Produces<MessageResponse>(status);
        }
        return builder;
    }

    private static StartFrom ParseFrom(string? text) => text?.Trim().ToLower(CultureInfo.InvariantCulture) switch
    {
        null or "" or "latest" or "end" => StartFrom.Latest,
        "earliest" or "beginning" or "start" => StartFrom.Earliest,
        _ => throw RequestFields.Bad($"Field 'from' must be 'latest' or 'earliest', got '{text}'"),
    };
}
