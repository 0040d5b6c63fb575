using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Http.Contracts;

namespace Queue.Http.Endpoints;

/// <summary>
/// The /v1 API (design.md §5; reference in docs/api-v1.md): JSON in and out, batches, fetch by
/// offset with long-poll, consumer positions with explicit commit, status codes that say what
/// happened. Same <see cref="QueueFrontend"/> as the seed API underneath.
/// </summary>
public static class V1Api
{
    private const int DefaultFetchMax = 100;
    private const string MaxText = "Most messages to return, 1 to 10000 (default 100)";
    private const string WaitText = "Long-poll: milliseconds to wait for a message when there is none yet, up to queue.http.max-poll-wait (default 0)";

    /// <summary>
    /// Registers what the /v1 API needs besides its endpoints: the OpenAPI document (served at
    /// /openapi/v1.json) and the JSON options it describes bodies with, so the document shows
    /// the snake_case names the API really uses.
    /// </summary>
    public static IServiceCollection AddV1Api(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = V1Json.Options.PropertyNamingPolicy;
            json.SerializerOptions.DefaultIgnoreCondition = V1Json.Options.DefaultIgnoreCondition;
            json.SerializerOptions.NumberHandling = V1Json.Options.NumberHandling;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, V1JsonContext.Default);
            json.SerializerOptions.TypeInfoResolverChain.Insert(1, SeedJsonContext.Default);
            json.SerializerOptions.TypeInfoResolverChain.Insert(2, V1GroupJsonContext.Default);
        });
        // The /v1 API and the seed-compatible endpoints (tagged "seed"); not the admin endpoints
        // or the catch-all fallbacks.
        services.AddOpenApi("v1", openApi => openApi.ShouldInclude = description =>
            description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true
            || description.ActionDescriptor.EndpointMetadata.OfType<ITagsMetadata>().Any(t => t.Tags.Contains("seed")));
        return services;
    }

    public static IEndpointRouteBuilder MapV1Api(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");

        v1.MapGet("/topics", (HttpContext http, QueueFrontend queue) => V1Results.Run(http, async ct =>
        {
            var topics = await queue.ListTopicInfosAsync(ct);
            return Results.Json(new V1TopicList(topics.Select(ToV1).ToList()), V1Json.Context.V1TopicList);
        })).WithTags("topics").WithSummary("List topics").Produces<V1TopicList>();

        v1.MapPost("/topics", (HttpContext http, QueueFrontend queue) => V1Results.Run(http, async ct =>
        {
            var request = await V1Results.ReadBodyAsync(http.Request, V1Json.Context.V1CreateTopicRequest, ct);
            var topic = await queue.CreateTopicAsync(request.Name, request.Partitions, ct, request.RetentionMs, request.RetentionMessages);
            return Results.Json(ToV1(topic), V1Json.Context.V1Topic, statusCode: StatusCodes.Status201Created);
        })).WithTags("topics").WithSummary("Create a topic, optionally with retention_ms / retention_messages").AcceptsJson<V1CreateTopicRequest>()
            .Produces<V1Topic>(StatusCodes.Status201Created).ProducesErrors(400, 409, 413);

        v1.MapGet("/topics/{topic}", (string topic, HttpContext http, QueueFrontend queue) => V1Results.Run(http, async ct =>
        {
            var info = await queue.DescribeTopicAsync(topic, ct);
            var states = await queue.DescribePartitionsAsync(info, ct);
            var (ms, messages) = Limits(info.Retention);
            return Results.Json(new V1TopicDetail(info.Name, info.Partitions,
                states.Select(s => new V1PartitionState(s.Partition, s.LogStart, s.HighWatermark)).ToList(), ms, messages), V1Json.Context.V1TopicDetail);
        })).WithTags("topics").WithSummary("A topic with its retention and each partition's log start and high-water mark")
            .Produces<V1TopicDetail>().ProducesErrors(404, 503);

        v1.MapPatch("/topics/{topic}", (string topic, HttpContext http, QueueFrontend queue) => V1Results.Run(http, async ct =>
        {
            var (ms, messages) = await ReadRetentionPatchAsync(http.Request, ct);
            var info = await queue.SetRetentionAsync(topic, ms, messages, ct);
            return Results.Json(ToV1(info), V1Json.Context.V1Topic);
        })).WithTags("topics").WithSummary("Change a topic's retention: a field left out stays, null removes the limit")
            .AcceptsJson<V1PatchTopicRequest>().Produces<V1Topic>().ProducesErrors(400, 404, 503);

        v1.MapPost("/topics/{topic}/messages", (string topic, HttpContext http, QueueFrontend queue) => V1Results.Run(http, async ct =>
        {
            var request = await V1Results.ReadBodyAsync(http.Request, V1Json.Context.V1ProduceRequest, ct);
            var items = request.Messages?.Select(m => m is null
                ? throw V1Results.Bad("Field 'messages' must not contain null")
                : new BatchItem(m.Value, m.Key, m.Partition)).ToList();
            var result = await queue.ProduceBatchAsync(topic, request.ProducerId, request.Sequence, items, ct);
            return Results.Json(new V1ProduceResponse(result.Offsets.Select(o => new V1Offset(o.Partition, o.Offset)).ToList(), result.Duplicate),
                V1Json.Context.V1ProduceResponse);
        })).WithTags("messages").WithSummary("Append a batch of messages (idempotent with producer_id + sequence)")
            .AcceptsJson<V1ProduceRequest>().Produces<V1ProduceResponse>().ProducesErrors(400, 404, 409, 413, 429, 503);

        v1.MapGet("/topics/{topic}/partitions/{partition:int}/messages", (string topic, int partition, HttpContext http, QueueFrontend queue, QueueSettings settings) =>
            V1Results.Run(http, async ct =>
            {
                var offset = V1Results.QueryLong(http.Request, "offset") ?? 0;
                var max = QueryMax(http.Request);
                var wait = QueryWait(http.Request, settings);
                var fetched = await LongPollAsync(http, poll => queue.FetchAsync(topic, partition, offset, max, wait, poll), ct);
                return Results.Json(new V1FetchResponse(fetched.Messages.Select(m => ToV1(partition, m)).ToList(), fetched.LogStart, fetched.HighWatermark, fetched.Skipped),
                    V1Json.Context.V1FetchResponse);
            })).WithTags("messages").WithSummary("Read committed messages from an offset; wait_ms long-polls when there are none")
            .WithQuery(("offset", "First offset wanted (default 0)"), ("max", MaxText), ("wait_ms", WaitText))
            .Produces<V1FetchResponse>().ProducesErrors(400, 404, 503);

        v1.MapPost("/producers", (HttpContext http, QueueFrontend queue) => V1Results.Run(http, async ct =>
        {
            var request = await V1Results.ReadBodyAsync(http.Request, V1Json.Context.V1RegisterProducerRequest, ct);
            var producer = await queue.RegisterProducerV1Async(request.Topic, request.Partition, ct);
            return Results.Json(new V1Producer(producer.Id, producer.Topic, producer.Partition), V1Json.Context.V1Producer, statusCode: StatusCodes.Status201Created);
        })).WithTags("producers").WithSummary("Register a producer on an existing topic")
            .AcceptsJson<V1RegisterProducerRequest>().Produces<V1Producer>(StatusCodes.Status201Created).ProducesErrors(400, 404);

        v1.MapPost("/consumers", (HttpContext http, QueueFrontend queue) => V1Results.Run(http, async ct =>
        {
            var request = await V1Results.ReadBodyAsync(http.Request, V1Json.Context.V1RegisterConsumerRequest, ct);
            var consumer = await queue.RegisterConsumerAsync(request.Topic, request.Partition, ParseFrom(request.From), ct);
            return Results.Json(new V1Consumer(consumer.Id, consumer.Topic, consumer.Partition, FromText(consumer.From)), V1Json.Context.V1Consumer,
                statusCode: StatusCodes.Status201Created);
        })).WithTags("consumers").WithSummary("Register a consumer on an existing topic; its positions are fixed before the answer")
            .AcceptsJson<V1RegisterConsumerRequest>().Produces<V1Consumer>(StatusCodes.Status201Created).ProducesErrors(400, 404, 503);

        v1.MapGet("/consumers/{id:long}/positions", (long id, HttpContext http, QueueFrontend queue) => V1Results.Run(http, async ct =>
        {
            var (consumer, positions) = await queue.PositionsAsync(id, ct);
            return Results.Json(ToV1(consumer.Id, consumer.Topic, positions), V1Json.Context.V1Positions);
        })).WithTags("consumers").WithSummary("Committed position and lag per partition").Produces<V1Positions>().ProducesErrors(404, 503);

        v1.MapPost("/consumers/{id:long}/commit", (long id, HttpContext http, QueueFrontend queue) => V1Results.Run(http, async ct =>
        {
            var request = await V1Results.ReadBodyAsync(http.Request, V1Json.Context.V1CommitRequest, ct);
            var commits = request.Offsets ?? [new V1CommitOffset(request.Partition, request.Offset)];
            if (commits.Count == 0 || commits.Any(c => c?.Offset is null))
            {
                throw V1Results.Bad("Give 'offset' (and 'partition' for a multi-partition topic), or 'offsets': [{partition, offset}, ...]");
            }
            var consumer = await queue.GetConsumerAsync(id, ct);
            // Partitions commit independently; sequentially keeps the answer's order and the
            // failure (if any) the first one's.
            var committed = new List<PartitionPosition>(commits.Count);
            foreach (var commit in commits)
            {
                committed.Add(await queue.CommitAsync(id, commit.Partition, commit.Offset!.Value, ct));
            }
            return Results.Json(ToV1(consumer.Id, consumer.Topic, committed), V1Json.Context.V1Positions);
        })).WithTags("consumers").WithSummary("Commit positions (the next offset to read) after processing: at-least-once")
            .AcceptsJson<V1CommitRequest>().Produces<V1Positions>().ProducesErrors(400, 404, 409, 503);

        v1.MapGet("/consumers/{id:long}/messages", (long id, HttpContext http, QueueFrontend queue, QueueSettings settings) => V1Results.Run(http, async ct =>
        {
            var max = QueryMax(http.Request);
            var wait = QueryWait(http.Request, settings);
            var messages = await LongPollAsync(http, poll => queue.FetchForConsumerAsync(id, max, wait, poll), ct);
            return Results.Json(new V1MessageList(messages.Select(m => ToV1(m.Partition, m.Message)).ToList()), V1Json.Context.V1MessageList);
        })).WithTags("consumers").WithSummary("Read from the committed positions without moving them; wait_ms long-polls")
            .WithQuery(("max", MaxText), ("wait_ms", WaitText))
            .Produces<V1MessageList>().ProducesErrors(400, 404, 503);

        v1.MapPost("/consumers/{id:long}/consume", (long id, HttpContext http, QueueFrontend queue) => V1Results.Run(http, async ct =>
        {
            var max = QueryMax(http.Request, defaultMax: 1);
            var consumer = await queue.GetConsumerAsync(id, ct);
            var taken = new List<V1Message>();
            // Each message is its own committed position move, as in the seed API: a crash
            // between two of them loses nothing already answered and delivers nothing twice.
            while (taken.Count < max)
            {
                try
                {
                    var result = await queue.ConsumeAsync(consumer.Topic, id, null, ct);
                    taken.Add(ToV1(result.Partition, result.Message));
                }
                catch (QueueException ex) when (ex.Kind == QueueErrorKind.Empty)
                {
                    break;
                }
            }
            return Results.Json(new V1MessageList(taken), V1Json.Context.V1MessageList);
        })).WithTags("consumers").WithSummary("Take messages and move the position past them at once: at-most-once, like the seed API")
            .WithQuery(("max", "Most messages to take, 1 to 10000 (default 1)"))
            .Produces<V1MessageList>().ProducesErrors(404, 503);

        v1.MapV1Groups();

        v1.MapFallback((HttpContext http) =>
            V1Results.Fail(StatusCodes.Status404NotFound, "not_found", $"No endpoint {http.Request.Method} {http.Request.Path}"));
        return app;
    }

    /// <summary>
    /// Runs a request that may long-poll, ending its wait when the node starts shutting down:
    /// Kestrel's graceful stop waits for running requests, so an idle poll would otherwise hold
    /// the shutdown for up to max-poll-wait. The client gets a retryable 503.
    /// </summary>
    private static async Task<T> LongPollAsync<T>(HttpContext http, Func<CancellationToken, Task<T>> poll, CancellationToken cancellationToken)
    {
        var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        try
        {
            return await poll(linked.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new QueueException(QueueErrorKind.Unavailable, "The node is shutting down; retry later or on another node");
        }
    }

    /// <summary>
    /// Describes the JSON body in the OpenAPI document only. <c>Accepts&lt;T&gt;()</c> would also make
    /// routing refuse requests without <c>Content-Type: application/json</c>, and the API reads
    /// any body that parses as JSON (curl -d sends a form content type).
    /// </summary>
    internal static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });

    /// <summary>
    /// Documents integer query parameters. They are parsed by the handlers themselves (so a bad
    /// value gets the v1 error shape), which hides them from the generated document.
    /// </summary>
    private static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder builder, params (string Name, string Description)[] parameters) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var (name, description) in parameters)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Query,
                    Description = description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" },
                });
            }
            return Task.CompletedTask;
        });

    internal static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.Produces<V1ErrorResponse>(status);
        }
        return builder;
    }

    private static int QueryMax(HttpRequest request, int defaultMax = DefaultFetchMax)
    {
        var max = V1Results.QueryLong(request, "max") ?? defaultMax;
        return max is >= 1 and <= QueueFrontend.MaxFetchMessages
            ? (int)max
            : throw V1Results.Bad($"Query parameter 'max' must be between 1 and {QueueFrontend.MaxFetchMessages}, got {max}");
    }

    private static TimeSpan QueryWait(HttpRequest request, QueueSettings settings)
    {
        var waitMs = V1Results.QueryLong(request, "wait_ms") ?? 0;
        var limit = (long)settings.Http.MaxPollWait.TotalMilliseconds;
        return waitMs >= 0 && waitMs <= limit
            ? TimeSpan.FromMilliseconds(waitMs)
            : throw V1Results.Bad($"Query parameter 'wait_ms' must be between 0 and {limit}, got {waitMs}");
    }

    private static V1Topic ToV1(TopicInfo topic)
    {
        var (ms, messages) = Limits(topic.Retention);
        return new V1Topic(topic.Name, topic.Partitions, ms, messages);
    }

    /// <summary>A limit of 0 is "none" inside; on the wire it is absent.</summary>
    private static (long? Ms, long? Messages) Limits(RetentionPolicy retention) =>
        (retention.Ms > 0 ? retention.Ms : null, retention.Messages > 0 ? retention.Messages : null);

    /// <summary>
    /// The PATCH body, read by hand because a field left out (unchanged) and a field set to null
    /// (limit removed) mean different things, which a typed body cannot tell apart. Returns each
    /// limit as the catalogue takes it: null = unchanged, 0 = removed, positive = new value.
    /// Everything is checked before anything is sent, so a bad body changes nothing.
    /// </summary>
    private static async Task<(long? Ms, long? Messages)> ReadRetentionPatchAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            throw V1Results.Bad("The request needs a JSON body: {\"retention_ms\": ..., \"retention_messages\": ...}");
        }
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw V1Results.Bad($"Malformed JSON body: {ex.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw V1Results.Bad($"The JSON body must be an object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }
            long? ms = null, messages = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "retention_ms":
                        ms = RetentionValue(property);
                        break;
                    case "retention_messages":
                        messages = RetentionValue(property);
                        break;
                    default:
                        throw V1Results.Bad($"Field '{property.Name}' cannot be changed: PATCH takes 'retention_ms' and 'retention_messages' only");
                }
            }
            if (ms is null && messages is null)
            {
                throw V1Results.Bad("Nothing to change: give 'retention_ms' and/or 'retention_messages' (null removes a limit)");
            }
            return (ms, messages);
        }
    }

    private static long RetentionValue(JsonProperty property)
    {
        var value = property.Value;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }
        // Numbers as JSON numbers or numeric strings, as everywhere in /v1; 1.5 or 1e3 is not a whole number here.
        long parsed = 0;
        var ok = value.ValueKind == JsonValueKind.Number
            ? value.TryGetInt64(out parsed)
            : value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out parsed);
        if (!ok || parsed <= 0)
        {
            throw V1Results.Bad($"Field '{property.Name}' must be a positive whole number or null (no limit), got {value.GetRawText()}");
        }
        return parsed;
    }

    private static V1Message ToV1(int partition, StoredMessage message) =>
        new(partition, message.Offset, message.Payload, message.ProducerId == 0 ? null : message.ProducerId, message.Timestamp);

    private static V1Positions ToV1(long consumerId, string topic, IReadOnlyList<PartitionPosition> positions) =>
        new(consumerId, topic, positions.Select(p => new V1Position(p.Partition, p.Position, p.HighWatermark, p.Lag)).ToList(), positions.Sum(p => p.Lag));

    internal static StartFrom ParseFrom(string? text) => text?.Trim().ToLower(CultureInfo.InvariantCulture) switch
    {
        null or "" or "latest" => StartFrom.Latest,
        "earliest" => StartFrom.Earliest,
        _ => throw V1Results.Bad($"Field 'from' must be 'latest' or 'earliest', got '{text}'"),
    };

    private static string FromText(StartFrom from) => from == StartFrom.Earliest ? "earliest" : "latest";
}
