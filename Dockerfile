# One image for every AkkaQueue process: /app/node (Queue.Node: brokers) and /app/edge
# (Queue.Http: edge-only nodes). Used by docker-compose.yml.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Queue.Node -c Release -o /app/node \
 && dotnet publish Queue.Http -c Release -o /app/edge

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
EXPOSE 8001 2552
ENTRYPOINT ["dotnet", "/app/node/Queue.Node.dll"]
