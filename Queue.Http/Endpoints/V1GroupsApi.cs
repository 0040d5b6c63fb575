using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Queue.Core.Edge;
using Queue.Core.Protocol;
using Queue.Http.Contracts;

namespace Queue.Http.Endpoints;

/// <summary>
/// The consumer-group endpoints of /v1: join, heartbeat, leave, commit, describe. The group's
/// entity decides membership, assignment and fencing; <see cref="GroupFrontend"/> validates first.
/// </summary>
public static class V1GroupsApi
{
    public static RouteGroupBuilder MapV1Groups(this RouteGroupBuilder v1)
    {
        v1.MapPost("/groups/{group}/members", (string group, HttpContext http, GroupFrontend groups) => V1Results.Run(http, async ct =>
        {
            var request = await V1Results.ReadBodyAsync(http.Request, V1GroupJson.Context.V1JoinGroupRequest, ct);
            var joined = await groups.JoinAsync(group, request.Topic, request.SessionTimeoutMs, V1Api.ParseFrom(request.From), ct, request.MemberId);
            return Results.Json(ToV1(joined), V1GroupJson.Context.V1GroupAssignment, statusCode: StatusCodes.Status201Created);
        })).WithTags("groups").WithSummary("Join a consumer group; answers the member id, generation and assigned partitions with their start offsets")
            .AcceptsJson<V1JoinGroupRequest>().Produces<V1GroupAssignment>(StatusCodes.Status201Created).ProducesErrors(400, 404, 409, 503);

        v1.MapPost("/groups/{group}/members/{member}/heartbeat", (string group, string member, HttpContext http, GroupFrontend groups) => V1Results.Run(http, async ct =>
        {
            var request = await V1Results.ReadBodyAsync(http.Request, V1GroupJson.Context.V1HeartbeatRequest, ct);
            var assignment = await groups.HeartbeatAsync(group, member, request.Generation, ct);
            return Results.Json(ToV1(assignment), V1GroupJson.Context.V1GroupAssignment);
        })).WithTags("groups").WithSummary("Keep a member alive; answers the current generation and partitions (a new generation means the assignment changed)")
            .AcceptsJson<V1HeartbeatRequest>().Produces<V1GroupAssignment>().ProducesErrors(400, 404, 503);

        v1.MapDelete("/groups/{group}/members/{member}", (string group, string member, HttpContext http, GroupFrontend groups) => V1Results.Run(http, async ct =>
        {
            await groups.LeaveAsync(group, member, ct);
            return Results.NoContent();
        })).WithTags("groups").WithSummary("Leave the group at once; the member's partitions go to the others")
            .Produces(StatusCodes.Status204NoContent).ProducesErrors(400, 404, 503);

        v1.MapPost("/groups/{group}/commit", (string group, HttpContext http, GroupFrontend groups) => V1Results.Run(http, async ct =>
        {
            var request = await V1Results.ReadBodyAsync(http.Request, V1GroupJson.Context.V1GroupCommitRequest, ct);
            var offsets = request.Offsets?.Select(o => o is { Partition: { } p, Offset: { } off }
                ? new GroupPartitionOffset(p, off)
                : throw V1Results.Bad("Every entry of 'offsets' needs 'partition' and 'offset'")).ToList();
            var described = await groups.CommitAsync(group, request.MemberId, request.Generation, offsets, ct);
            return Results.Json(ToV1(described), V1GroupJson.Context.V1GroupDescription);
        })).WithTags("groups").WithSummary("Commit offsets (the next offset to read) for partitions the member owns; 409 from an older generation")
            .AcceptsJson<V1GroupCommitRequest>().Produces<V1GroupDescription>().ProducesErrors(400, 404, 409, 503);

        v1.MapGet("/groups/{group}", (string group, HttpContext http, GroupFrontend groups) => V1Results.Run(http, async ct =>
        {
            var described = await groups.DescribeAsync(group, ct);
            return Results.Json(ToV1(described), V1GroupJson.Context.V1GroupDescription);
        })).WithTags("groups").WithSummary("Members, generation, assignment, committed offset and lag per partition")
            .Produces<V1GroupDescription>().ProducesErrors(400, 404, 503);
        return v1;
    }

    private static V1GroupAssignment ToV1(GroupMemberAssignment a) =>
        new(a.MemberId, a.Generation, a.Partitions, a.Offsets.Select(o => new V1GroupOffset(o.Partition, o.Offset)).ToList(), a.SessionTimeoutMs);

    private static V1GroupDescription ToV1(GroupDescription d) =>
        new(d.Group, d.Topic, d.Generation,
            d.Members.Select(m => new V1GroupMember(m.MemberId, m.Partitions, m.SessionTimeoutMs)).ToList(),
            d.Partitions.Select(p => new V1GroupPartition(p.Partition, p.MemberId, p.Committed, p.LogStart, p.HighWatermark, p.Lag)).ToList(),
            d.Partitions.Sum(p => p.Lag));
}
