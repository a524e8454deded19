using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>
    /// The closes of a handoff plan, against the real analyzers: a close that follows the detach on every path is dropped,
    /// one also reached without the detach keeps closing there (guarded by IsDetached). Every fixed source compiles.
    /// </summary>
    public class HandoffCloseGuardEndToEndTests
    {
        private static IEnumerable<DiagnosticAnalyzer> Flow() => UseHandoffWebSocketEndToEndTests.AllFlowAnalyzers();

        [Fact]
        public async Task A_close_in_a_finally_after_a_raw_use_on_one_branch_is_guarded_not_dropped()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            try
                            {
                                await ws.ReceiveAsync(buffer, ct);
                                if (upgrade)
                                {
                                    await {|WSH001:stream.WriteAsync(buffer, ct)|};
                                }
                            }
                            finally
                            {
                                await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
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

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            try
                            {
                                await ws.ReceiveAsync(buffer, ct);
                                if (upgrade)
                                {
                                    var raw = await ws.DetachAsync(ct);
                                    await raw.WriteAsync(buffer, ct);
                                }
                            }
                            finally
                            {
                                if (!ws.IsDetached)
                                    await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task After_a_branch_the_close_is_guarded_and_inside_the_branch_after_the_raw_use_it_is_dropped()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            WebSocket ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            if (upgrade)
                            {
                                await {|WSH001:stream.WriteAsync(buffer, ct)|};
                                await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            }
                            else
                                await ws.SendAsync(buffer, WebSocketMessageType.Binary, true, ct);
                            _ = {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
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

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            if (upgrade)
                            {
                                var raw = await ws.DetachAsync(ct);
                                await raw.WriteAsync(buffer, ct);
                            }
                            else
                                await ws.SendAsync(buffer, WebSocketMessageType.Binary, true, ct);
                            if (!ws.IsDetached)
                                _ = ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_returned_close_in_a_Task_returning_method_becomes_a_completed_task_after_the_detach_or_a_guarded_close()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        Task Always(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            {|WSH001:stream.Write(buffer, 0, buffer.Length)|};
                            return {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                        }

                        Task Sometimes(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            if (upgrade)
                            {
                                {|WSH001:stream.Write(buffer, 0, buffer.Length)|};
                            }

                            return {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
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

                    class Bridge
                    {
                        Task Always(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = ws.Detach();
                            raw.Write(buffer, 0, buffer.Length);
                            return Task.CompletedTask;
                        }

                        Task Sometimes(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            if (upgrade)
                            {
                                var raw = ws.Detach();
                                raw.Write(buffer, 0, buffer.Length);
                            }

                            return ws.IsDetached ? Task.CompletedTask : ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_field_that_stays_a_WebSocket_is_guarded_with_a_pattern_that_is_false_for_any_other_WebSocket()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        private WebSocket? _ws;

                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            _ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            try
                            {
                                if (upgrade) await {|WSH001:stream.WriteAsync(buffer, ct)|};
                            }
                            finally
                            {
                                await {|WSH002:_ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
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

                    class Bridge
                    {
                        private WebSocket? _ws;

                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            _ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            try
                            {
                                if (upgrade)
                                {
                                    var raw = await ((HandoffWebSocket)_ws).DetachAsync(ct);
                                    await raw.WriteAsync(buffer, ct);
                                }
                            }
                            finally
                            {
                                if (_ws is not HandoffWebSocket { IsDetached: true })
                                    await _ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_close_the_fix_cannot_rewrite_leaves_the_diagnostics_without_a_fix()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;

                class Bridge
                {
                    async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        if (upgrade)
                        {
                            await {|WSH001:stream.WriteAsync(buffer, ct)|};
                        }

                        await {|WSH002:(ws as WebSocket).CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                    }
                }
                """;
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow) { TestCode = source, FixedCode = source }.RunAsync();
        }
    }
}
