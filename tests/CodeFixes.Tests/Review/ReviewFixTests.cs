using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests.Review
{
    /// <summary>Review: the fixes applied to real-world code with the real analyzers; the fixed code compiles.</summary>
    public class ReviewFixTests
    {
        private static IEnumerable<DiagnosticAnalyzer> Wsh001() => new DiagnosticAnalyzer[] { new RawTransportUseAnalyzer() };

        private static IEnumerable<DiagnosticAnalyzer> Flow() => new DiagnosticAnalyzer[]
        {
            new RawTransportUseAnalyzer(), new CloseDuringHandoffAnalyzer(), new KeepAliveOnHandoffAnalyzer(),
        };

        [Fact]
        public async Task Bridge_that_leaves_its_echo_loop_on_a_command_detaches_after_the_loop_and_drops_the_close()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.Sockets;
                    using System.Net.WebSockets;
                    using System.Text;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(TcpClient client, CancellationToken ct)
                        {
                            var stream = client.GetStream();
                            using var ws = {|WSH003:WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30))|};
                            var buf = new byte[4096];
                            while (true)
                            {
                                var r = await ws.ReceiveAsync(buf, ct);
                                if (Encoding.UTF8.GetString(buf, 0, r.Count) == "upgrade") break;
                                await ws.SendAsync(buf.AsMemory(0, r.Count), WebSocketMessageType.Text, true, ct);
                            }
                            await {|WSH001:stream.WriteAsync(Encoding.ASCII.GetBytes("OK\n"), ct)|};
                            var reader = {|WSH001:new StreamReader(stream)|};
                            var line = await reader.ReadLineAsync();
                            await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.Sockets;
                    using System.Net.WebSockets;
                    using System.Text;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(TcpClient client, CancellationToken ct)
                        {
                            var stream = client.GetStream();
                            using var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
                            var buf = new byte[4096];
                            while (true)
                            {
                                var r = await ws.ReceiveAsync(buf, ct);
                                if (Encoding.UTF8.GetString(buf, 0, r.Count) == "upgrade") break;
                                await ws.SendAsync(buf.AsMemory(0, r.Count), WebSocketMessageType.Text, true, ct);
                            }

                            var raw = await ws.DetachAsync(ct);
                            await raw.WriteAsync(Encoding.ASCII.GetBytes("OK\n"), ct);
                            var reader = new StreamReader(raw);
                            var line = await reader.ReadLineAsync();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Raw_uses_in_both_branches_of_an_if_detach_once_before_the_if()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Wsh001)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class G
                    {
                        async Task Run(Stream s, bool a, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(new byte[1], ct);
                            if (a) await {|WSH001:s.WriteAsync(new byte[1], ct)|};
                            else await {|WSH001:s.FlushAsync(ct)|};
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

                    class G
                    {
                        async Task Run(Stream s, bool a, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(new byte[1], ct);
                            var raw = await ws.DetachAsync(ct);
                            if (a) await raw.WriteAsync(new byte[1], ct);
                            else await raw.FlushAsync(ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_parameter_named_raw_makes_the_fix_pick_another_name_and_no_token_means_no_argument()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Wsh001)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class G
                    {
                        async Task Run(Stream s, byte[] raw)
                        {
                            var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(raw, CancellationToken.None);
                            await {|WSH001:s.WriteAsync(raw)|};
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

                    class G
                    {
                        async Task Run(Stream s, byte[] raw)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(raw, CancellationToken.None);
                            var raw1 = await ws.DetachAsync();
                            await raw1.WriteAsync(raw);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Synchronous_copy_loop_detaches_with_Detach_before_the_loop_and_a_declared_then_assigned_local_changes_type()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Wsh001)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;

                    class G
                    {
                        void Run(Stream s, Stream dst)
                        {
                            WebSocket ws;
                            ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
                            var buf = new byte[100];
                            int n;
                            while ((n = {|WSH001:s.Read(buf, 0, buf.Length)|}) > 0) dst.Write(buf, 0, n);
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using WebSocketHandoff;

                    class G
                    {
                        void Run(Stream s, Stream dst)
                        {
                            HandoffWebSocket ws;
                            ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
                            var buf = new byte[100];
                            int n;
                            var raw = ws.Detach();
                            while ((n = raw.Read(buf, 0, buf.Length)) > 0) dst.Write(buf, 0, n);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Final_send_with_ConfigureAwait_and_the_flags_overload_merge_into_SendAndDetachAsync()
        {
            await new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: () => new DiagnosticAnalyzer[] { new NonAtomicFinalSendAnalyzer() })
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class S6
                    {
                        async Task<Stream> Run(HandoffWebSocket ws, byte[] msg, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(new ArraySegment<byte>(msg, 0, 4), WebSocketMessageType.Binary, true, ct)|}.ConfigureAwait(false);
                            var raw = await ws.DetachAsync(ct).ConfigureAwait(false);
                            return raw;
                        }

                        async Task<Stream> Run2(HandoffWebSocket ws, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync("bye"u8.ToArray(), WebSocketMessageType.Text, WebSocketMessageFlags.EndOfMessage, ct)|};
                            return await ws.DetachAsync(ct);
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

                    class S6
                    {
                        async Task<Stream> Run(HandoffWebSocket ws, byte[] msg, CancellationToken ct)
                        {
                            var raw = await ws.SendAndDetachAsync(new ArraySegment<byte>(msg, 0, 4), WebSocketMessageType.Binary, ct).ConfigureAwait(false);
                            return raw;
                        }

                        async Task<Stream> Run2(HandoffWebSocket ws, CancellationToken ct)
                        {
                            return await ws.SendAndDetachAsync("bye"u8.ToArray(), WebSocketMessageType.Text, ct);
                        }
                    }
                    """,
            }.RunAsync();
        }
    }
}
