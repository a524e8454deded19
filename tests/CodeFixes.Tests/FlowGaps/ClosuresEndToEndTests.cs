using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests.FlowGaps
{
    /// <summary>
    /// The handoff fix with the closes WSH002 now reports inside lambdas and local functions, and with a raw use through a
    /// copy of the transport (reported, no fix).
    /// </summary>
    public class ClosuresEndToEndTests
    {
        private static IEnumerable<DiagnosticAnalyzer> RawAndClose() => new DiagnosticAnalyzer[] { new RawTransportUseAnalyzer(), new CloseDuringHandoffAnalyzer() };

        [Fact]
        public async Task A_close_in_a_lambda_created_after_the_detach_point_is_dropped()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: RawAndClose)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            await {|WSH001:stream.WriteAsync(buffer, ct)|};
                            Func<Task> shutdown = () => {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            await shutdown();
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            var raw = await ws.DetachAsync(ct);
                            await raw.WriteAsync(buffer, ct);
                            Func<Task> shutdown = () => Task.CompletedTask;
                            await shutdown();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_close_in_a_local_function_called_after_the_raw_use_is_guarded()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: RawAndClose)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            await {|WSH001:stream.WriteAsync(buffer, ct)|};
                            await ShutdownAsync();

                            async Task ShutdownAsync()
                            {
                                await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            }
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            var raw = await ws.DetachAsync(ct);
                            await raw.WriteAsync(buffer, ct);
                            await ShutdownAsync();

                            async Task ShutdownAsync()
                            {
                                if (!ws.IsDetached)
                                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_raw_use_through_a_copy_is_reported_without_a_fix()
        {
            const string code = """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;

                class Upgrade
                {
                    async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await ws.ReceiveAsync(buffer, ct);
                        var copy = stream;
                        await {|WSH001:copy.WriteAsync(buffer, ct)|};
                    }
                }
                """;
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: RawAndClose) { TestCode = code, FixedCode = code }.RunAsync();
        }
    }
}
