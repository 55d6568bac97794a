"""The 10-fold train / test indices of the EHGNN reference code (github.com/harryjo97/EHGNN,
commit 19837658, ``datasets/<NAME>/10fold_idx/``), which are the GIN reference code's folds
(github.com/weihua916/powerful-gnns), and the split protocol ``ehgnn_folds`` built on them.

Mirror path ``ehgnn_10fold/<NAME>/10fold_idx/{train,test}_idx-<k>.txt`` (``k`` = 1..10), one
0-based graph index per line; the sha256 of each file is pinned here (from the mirror's
MANIFEST.tsv).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from graphkit.datasets.remote_file import RemoteFile

EHGNN_FOLDS = "ehgnn_folds"
NUM_FOLDS = 10
_MIRROR_DIR = "ehgnn_10fold"
_URL = "https://raw.githubusercontent.com/harryjo97/EHGNN/198376581edde6a8930e3df79fa9fcb3378e6c22/datasets"

# "<NAME>/10fold_idx/<kind>_idx-<k>.txt" -> sha256
FOLD_SHA256: dict[str, str] = {
    "COLLAB/10fold_idx/test_idx-1.txt": "fdcac3c8de5e4a0ee21d515f8bf42787e4db9b97bfdd5896765d247b1f85dbfb",
    "COLLAB/10fold_idx/test_idx-2.txt": "8fbdfeed87cce50d09fcd84ee513120f5cf8eb6e617cd461b7f708c2dba69a59",
    "COLLAB/10fold_idx/test_idx-3.txt": "7e8d23e3af2ec92a6238304ae5b114904924499b9adabf0b1b6af9db6dbf784c",
    "COLLAB/10fold_idx/test_idx-4.txt": "a24d76d9b378b4ce7aefe5d16fd3501df939ddee150be113b437da59f5dc20eb",
    "COLLAB/10fold_idx/test_idx-5.txt": "58e76727dacef4b2ed6c7740434143e89550469c85243f95fbadb2112d0e51d5",
    "COLLAB/10fold_idx/test_idx-6.txt": "d46e1111754227a2da2f802a0288097ea5899b5023e359447e8a21bd0fc46eb2",
    "COLLAB/10fold_idx/test_idx-7.txt": "4d9592cfd35ac3d8ac6762223b2023077364e55d163ec02ecad9c0333602c130",
    "COLLAB/10fold_idx/test_idx-8.txt": "47b17b2fd679a6c2eeb8aa6b7e53dc806fb9414523d17c1532103c0ac0ee6471",
    "COLLAB/10fold_idx/test_idx-9.txt": "60fc25191631984b3108a19231db53be6087e7ba32ba468a795b8917853a5063",
    "COLLAB/10fold_idx/test_idx-10.txt": "dd971e39df02e59a2cd0db26fef3ca6e3b108c67dda74a35194136a63cdf2043",
    "COLLAB/10fold_idx/train_idx-1.txt": "99b56ab8f1fa0ebd721943096a2f08087ae1477226f445ccca117b2077595067",
    "COLLAB/10fold_idx/train_idx-2.txt": "1a24e885fdc0754b6464edba05bbfe118a572a80fa666756a6c09538e40769dc",
    "COLLAB/10fold_idx/train_idx-3.txt": "f7760b1ffd99862d853753765a7145c8e83780dee82fd2f09475e8584e7c9d12",
    "COLLAB/10fold_idx/train_idx-4.txt": "f83cedc46de707641b4b73da5fa7f62e177b3d7765c40cf5077e8679b40059b5",
    "COLLAB/10fold_idx/train_idx-5.txt": "37e9ff87f15326c612bc3f4640f29b4a71abc26680c4a7b5bbcc44ca20aeeb36",
    "COLLAB/10fold_idx/train_idx-6.txt": "c14c98b51077d35600f4378905b4059e10906331e4e134d328609bef4bb48e5f",
    "COLLAB/10fold_idx/train_idx-7.txt": "52fa562e7f7b4e5f28f83623d5ad0b7f45037e42ca49bbd6c018419981b42ea7",
    "COLLAB/10fold_idx/train_idx-8.txt": "5ee77b79e9dae03a4008fde08ea129202dba44c158499388db6d9ba8968fe3d4",
    "COLLAB/10fold_idx/train_idx-9.txt": "5100ac660c0fbec479dbce21345edce3eb54e7c5f307ea4f500837c5ea568923",
    "COLLAB/10fold_idx/train_idx-10.txt": "231c5431e516a56ead6cb7b18f404d7b6a646eebaafe4f3caa8dd6260555faae",
    "DD/10fold_idx/test_idx-1.txt": "a2a7a12b4da171ab68f70679827a694aa87c35be06e161bf59497a38ca254398",
    "DD/10fold_idx/test_idx-2.txt": "b1e1b8ddd36d259fc5a88d000665fc0944fca8a0e3dd19611f909227074e261e",
    "DD/10fold_idx/test_idx-3.txt": "8898248793578a81b0d2552600fd49d3985a576093012bac5905b7fc463ef0c4",
    "DD/10fold_idx/test_idx-4.txt": "83c1670c48c005a30f8c873994af5be2c7fa7cea5edc1d01a7049a32c13d5a06",
    "DD/10fold_idx/test_idx-5.txt": "faa6b87a4e1b91e7181b5fbf7f8ef4c8bbdefe8d5d1eba8afa4e0c73b8c20da0",
    "DD/10fold_idx/test_idx-6.txt": "a6e7b4c9bec1e73bf86a833d685a7a551e175f9030a8d6c34a4634e8078d4038",
    "DD/10fold_idx/test_idx-7.txt": "b12dc3759af46b7dd4c17733120ee23e1b37845543313eff90dd0777f73dd6fe",
    "DD/10fold_idx/test_idx-8.txt": "caa4e38591018aadedf0b28d56c6b866df4877ae39510d293a1e4d9dcac4c184",
    "DD/10fold_idx/test_idx-9.txt": "8040581ef3a4007867de0b0cc6b80ef84109430e603f97736ff97d9b694bcd15",
    "DD/10fold_idx/test_idx-10.txt": "689caaead7b6f02e9b0ae3a1839355c62b797595cf218623d9ee26ed214aee5c",
    "DD/10fold_idx/train_idx-1.txt": "fd55821aec669b46748b3ca54b970bd34186883598a1d9afda1c5405e8925171",
    "DD/10fold_idx/train_idx-2.txt": "645f25649c962693684b7441bca9fc0508bb886193ca9e2452e16092ab92e790",
    "DD/10fold_idx/train_idx-3.txt": "2113b771d06f4fb551ebccda62a37765ef658478e4cd889352c472617da0a20d",
    "DD/10fold_idx/train_idx-4.txt": "d6f0bd0d8e1ebf63633f6865e510ff94077f6994bdb25e0015b30ce253fe0699",
    "DD/10fold_idx/train_idx-5.txt": "b07bc9ffb5f4e81d65cdecfff0f75375ac31d5e292a11f815cb21125dc8d4f14",
    "DD/10fold_idx/train_idx-6.txt": "e62ca58cb27bdbc764a35dd2d8266895263c21c9effe5c35ad720a5f661058c1",
    "DD/10fold_idx/train_idx-7.txt": "0557063b1564305207f3e58e5cc9a9657e54ef552d8e98540e022e4a41a7c3d8",
    "DD/10fold_idx/train_idx-8.txt": "efcc25bcfe0dedeaa0731f3c76a7d360f021c39a7e4660201b375064a871dfe7",
    "DD/10fold_idx/train_idx-9.txt": "1437dc150ea3d891a2c1d9da2c0f3e88195c05bcd319bc47d9c0f5fd2b20fa2c",
    "DD/10fold_idx/train_idx-10.txt": "95ed34d3198bc32d6478262b12ebe1c7639e18d11ab665de926470ef15c9f446",
    "IMDB-BINARY/10fold_idx/test_idx-1.txt": "0c608b497f93881a54ef04786a5239af86c1989130a7bb9201693c8760414c86",
    "IMDB-BINARY/10fold_idx/test_idx-2.txt": "a1d71bce61e390604a46fef70a4b3b19ef3ca80ccda3061d2708c55be71ccc93",
    "IMDB-BINARY/10fold_idx/test_idx-3.txt": "e26189e39e2642552c61a4857308f5cacb895f13b2e68eb7fe9e20b9fd789729",
    "IMDB-BINARY/10fold_idx/test_idx-4.txt": "43b0282e3c3ab606702cd817d86b8623965b016b2bca587f934e62df92318015",
    "IMDB-BINARY/10fold_idx/test_idx-5.txt": "a4902e21539ff4ac6e66aa8cfd8907147dd765336ee2083ef8131cabee3ac1dc",
    "IMDB-BINARY/10fold_idx/test_idx-6.txt": "6abaa9eca41b26f5fab3382242b26d3e6a8f8e720083456d00633fe62a57cd4d",
    "IMDB-BINARY/10fold_idx/test_idx-7.txt": "cfe61c0d986b86ed01ca6dad850bb999e5d0098aec978fc36b19f8396e65e694",
    "IMDB-BINARY/10fold_idx/test_idx-8.txt": "048f900449aa3e3732feb493a8d6130d4f879fb4440c378d08fe19d7e1af3394",
    "IMDB-BINARY/10fold_idx/test_idx-9.txt": "73a67d1f3da3143c0f687cc143b584cf46b2708059d1ab87996f4a4fb37fe202",
    "IMDB-BINARY/10fold_idx/test_idx-10.txt": "ee64162e19c034d54e013698f7ae63d31567b1afd8207f54a89621d994f1d6b0",
    "IMDB-BINARY/10fold_idx/train_idx-1.txt": "658f4dced498fcd4199c106c6d220d930f68faf12cb12c0aa59c12d4f8bdadf7",
    "IMDB-BINARY/10fold_idx/train_idx-2.txt": "c867934d10a72c07af5d4d3cccda154bdc2b025ce47c44b4e6ffce9b93df848c",
    "IMDB-BINARY/10fold_idx/train_idx-3.txt": "b698cd8e57172ef76386cab48860429355ca22a274cd34586b816e6b82d9eec3",
    "IMDB-BINARY/10fold_idx/train_idx-4.txt": "a08c2f2235997cdceed58df2938e7e2e7b73e262be15d6416dc840a689ff79f0",
    "IMDB-BINARY/10fold_idx/train_idx-5.txt": "19878731261b9c109e7eed68b4244065b5e38503a900961bb49396426c8fd3ae",
    "IMDB-BINARY/10fold_idx/train_idx-6.txt": "62ab7706f1a2c2406ef7ecaac99601ce1848326b5610546896d6a71a7a393f50",
    "IMDB-BINARY/10fold_idx/train_idx-7.txt": "4507c081570dcc3fe16b3c79ac38e21564bc51719447cf2805bdf06d05e1c48d",
    "IMDB-BINARY/10fold_idx/train_idx-8.txt": "0a9ead201dd5635eb0be9130d060cd944e59500c7f0c2c6541384ffbe883f564",
    "IMDB-BINARY/10fold_idx/train_idx-9.txt": "b8fa766d7e96a135c84a77cd2e23d84b0cc94ddf6bf742a9ee48c851496c408e",
    "IMDB-BINARY/10fold_idx/train_idx-10.txt": "6a35bea0e548cbdb60b56409176329a7f362b7ead3fc5fd1356fddf7de4e19f1",
    "IMDB-MULTI/10fold_idx/test_idx-1.txt": "e2510c3ce39c3608cbd25c72264ea692025b7f8bfa1dbedb310d0e3cc398ecd0",
    "IMDB-MULTI/10fold_idx/test_idx-2.txt": "0c72858a0e0da55dd0af1ae5d602ba063d27d67e75398438f10de17ba70050a9",
    "IMDB-MULTI/10fold_idx/test_idx-3.txt": "dd18146e61d44efc6282b5e6b737b62105c73ee406386359c02e022c451f4324",
    "IMDB-MULTI/10fold_idx/test_idx-4.txt": "bc8e65d42e247ff08808577b05e151ba33cee3bd92bf45db1a0a6a4f934d3957",
    "IMDB-MULTI/10fold_idx/test_idx-5.txt": "cf3f8c3195996ce636e17b9d3bbd0b8bc32215c8c4ce60e7a429d719c54f9057",
    "IMDB-MULTI/10fold_idx/test_idx-6.txt": "82be44f2406197f653f16533b1f4cbdf752def8eec7699734c43df7fb67f49eb",
    "IMDB-MULTI/10fold_idx/test_idx-7.txt": "56b523b389cea126826fcdb90a24ec26112f4189581e8d4c5318d829afc036bd",
    "IMDB-MULTI/10fold_idx/test_idx-8.txt": "25b3b9de8482b33ae32fcbe47e6366626fd419eaafdd6b030f20fdac7a7dc042",
    "IMDB-MULTI/10fold_idx/test_idx-9.txt": "f672a413c41f3c77cef18956545cd323b5df1a3667a64ec4be3c6bd9d6de4abf",
    "IMDB-MULTI/10fold_idx/test_idx-10.txt": "8dcdcecf88906857978b67fb31d2efe6f8943b758cc6c775a583f4343d8c770a",
    "IMDB-MULTI/10fold_idx/train_idx-1.txt": "0ae8bf61aaf06d3e3f385602feeeed97acc04989547f95bf86c070dfea76cfc0",
    "IMDB-MULTI/10fold_idx/train_idx-2.txt": "69e0b4da0c30d1ceb11b1ecd9ba77f6ed5a8a8c9e826b8fe28adbf88db7d941f",
    "IMDB-MULTI/10fold_idx/train_idx-3.txt": "6a9b4d0fedfc4764349de780bf8c35acb73473ed32603b91f557fa82399fcfdf",
    "IMDB-MULTI/10fold_idx/train_idx-4.txt": "5f932ac4c3d22365576154d9a520e4049756c5f5fa689d4ffd7e58c2bb49159a",
    "IMDB-MULTI/10fold_idx/train_idx-5.txt": "3cdc944c737a1d6671ccbe6cac8d07857de416c150e0e11f4e2a04e11d1837d1",
    "IMDB-MULTI/10fold_idx/train_idx-6.txt": "53fccede2c6a7082c3dbb5136d79e69c07da8258255205190f9a1fe87f0dc3ee",
    "IMDB-MULTI/10fold_idx/train_idx-7.txt": "b353dc44f49c498b10b176bf35ee6f5bbbe23ac796d11876f52566097d70f4b6",
    "IMDB-MULTI/10fold_idx/train_idx-8.txt": "552fa063f51c7abb880c715a15af8994e3c81604ba2cd2ae0c0e736782055b93",
    "IMDB-MULTI/10fold_idx/train_idx-9.txt": "19107f560e581002a804d58334255a510b6dc7e5c1e938dd9b011721587d5493",
    "IMDB-MULTI/10fold_idx/train_idx-10.txt": "cee0c7422cdc61dfaf40ce253b7285f6fba5f6f0dccc07fcdb8d8de580438d78",
    "MUTAG/10fold_idx/test_idx-1.txt": "52a082efad97dbff2220023632ef36009025489cad04ee40d027758cdc2525c4",
    "MUTAG/10fold_idx/test_idx-2.txt": "356bc8b8d00c2da11596ac0589981fcefec6cc2a888c015d9e35f17001e16b20",
    "MUTAG/10fold_idx/test_idx-3.txt": "f485c4e7341e78d08a8450e61861c53406ef7beb86ae2dac16062cf8214eb448",
    "MUTAG/10fold_idx/test_idx-4.txt": "7b8db256fafc179a2bd3c4a7114f0ae3905dd13fb318f34f3281a5a5066161c0",
    "MUTAG/10fold_idx/test_idx-5.txt": "992858c1122d9f9e99c4fe975742632bbcc4dc9cc651c6513c4accf526fbb4b7",
    "MUTAG/10fold_idx/test_idx-6.txt": "eaf2e57b545766e558dd393ee428ac1561bcc07a42908eb8644835ccb4bc3062",
    "MUTAG/10fold_idx/test_idx-7.txt": "eda25cebd772a6935d4b780a4f58d8aa947df43c14463a6ed0aeb2e555462f5c",
    "MUTAG/10fold_idx/test_idx-8.txt": "9da7a48b329f17c16bc15939bafb14bababde6d948aff83583e32cdb1dc2c4d6",
    "MUTAG/10fold_idx/test_idx-9.txt": "274119935ba895fa3d8829a463243800c1982704f9f179bb4ef290af1019c092",
    "MUTAG/10fold_idx/test_idx-10.txt": "adaf574e4804a4c6849a8213121b1a18bd45101a1ca2e83e90b2c0917abee5df",
    "MUTAG/10fold_idx/train_idx-1.txt": "da633d26f446935bda6f5a39f9514bccd61dcec6b075db144b57a8c69af2fd37",
    "MUTAG/10fold_idx/train_idx-2.txt": "0861615be75fa68daa74bfe69e57d495cc9859e80de2756636f86211c08a3aff",
    "MUTAG/10fold_idx/train_idx-3.txt": "cb3b2b32f16fcfc99e79cbdae4e6360a0d460defc2f780893fbf7396c874f2bd",
    "MUTAG/10fold_idx/train_idx-4.txt": "ad01c53fbf91eca446ac3e5d7e8ad29691740c145bed9012214de164b7a02724",
    "MUTAG/10fold_idx/train_idx-5.txt": "ab40dbb568a93e39bebf8fa89277819b6f38a661803eb8a11532e456e92de171",
    "MUTAG/10fold_idx/train_idx-6.txt": "d1ac82ffa71e308f7f51d6d3c85b55416bab8d6f7b17924789df47b4cc49b50b",
    "MUTAG/10fold_idx/train_idx-7.txt": "3953aaa0e6014c89da6b9129814dd51878ea56cac4ae289bde237b3b6995ef97",
    "MUTAG/10fold_idx/train_idx-8.txt": "b618772fdadd92036433124b1be6557bceaa5e489ab5f6638861c741f601ba7b",
    "MUTAG/10fold_idx/train_idx-9.txt": "fc6ed9cdf7e589ed9a1e397c5d28b56d396c2f7e38bbe7c713202becd883c5e8",
    "MUTAG/10fold_idx/train_idx-10.txt": "faf1898c1e11d8fa82737f63d3b52f801ec1a1c1001d450cc29ec1fa74719fe6",
    "PROTEINS/10fold_idx/test_idx-1.txt": "41c02c84ef8cba8a781b32f51c6622c2a5ea6c6911a3c3232a4707b8c1bf0ec9",
    "PROTEINS/10fold_idx/test_idx-2.txt": "d2886161063807351509512948351a5ecaa549fb7074ce89c42b72ad7d5db035",
    "PROTEINS/10fold_idx/test_idx-3.txt": "3c85ff214e3d208396e706281304e5eee5ddb7f95ac3a10e37785c68a564c979",
    "PROTEINS/10fold_idx/test_idx-4.txt": "f0e6908b9b56aa830da2588c5617a427e66c60e6477fef56c17b41b52f9f4e8c",
    "PROTEINS/10fold_idx/test_idx-5.txt": "80661f7ae120fddfaed17bdd9a73195f3fadbd6849b8534662aeb2b7b86efe32",
    "PROTEINS/10fold_idx/test_idx-6.txt": "3a2be0743b8148b37dcfe627f364e97da595b4efc50424ec295ee572be3d85cd",
    "PROTEINS/10fold_idx/test_idx-7.txt": "b1006f84c83fa23249d3d7dfe97ca82d341fb8051c322934665164364403312f",
    "PROTEINS/10fold_idx/test_idx-8.txt": "098735673ba5d542e6b96e026015455f27b9e2deeed765b1b4a977fd8f95bcef",
    "PROTEINS/10fold_idx/test_idx-9.txt": "376c4d7ca5df6d72d5bfe7afe37b7004dd94ff828842ebedfd1080012e36cce7",
    "PROTEINS/10fold_idx/test_idx-10.txt": "b274252b1e25f07be0b20171b15e7c813c06cb8060bd1a0b1898d86fb748a8c2",
    "PROTEINS/10fold_idx/train_idx-1.txt": "c5c6f1acc9c51c6c5feb972b4612056ef6cdad2527d3819e35c423bf51e43fdf",
    "PROTEINS/10fold_idx/train_idx-2.txt": "8c280383e1fe74da5ccbc987fec9fc561b4e13b86c4a4c06215447539b024986",
    "PROTEINS/10fold_idx/train_idx-3.txt": "cf04b76b37f51076e105fd57d56a421cabcad3b4e6984fa775b859964e046ead",
    "PROTEINS/10fold_idx/train_idx-4.txt": "aee2276c086a8cd90ed2ba58b12c371d7e7bfd6833a0f2d6dcfe16722d8b01d4",
    "PROTEINS/10fold_idx/train_idx-5.txt": "42f76451ed8a73181d83eef1a7b94f0b40a1130144f6568330a29fa5b061bb4b",
    "PROTEINS/10fold_idx/train_idx-6.txt": "910178e3128a821ee4ffe9ae159e4ad3ba8b467c23f066e57cd5186e667dd724",
    "PROTEINS/10fold_idx/train_idx-7.txt": "d0bdc850d13dd7056544d230866d716c9e6a68b02ac20fa67508b25f5e63383e",
    "PROTEINS/10fold_idx/train_idx-8.txt": "e35f43f477d509ffd7c7b392e9db2ba4d899c3f5a9de358cf95cea69690cc285",
    "PROTEINS/10fold_idx/train_idx-9.txt": "791d579eed34a2fec0a307e2cb6a97d9611cd89bf47ee23114ff1c2e819ea8ee",
    "PROTEINS/10fold_idx/train_idx-10.txt": "3852bb5a7043a131ab01a83f9776ff598a75bee60f392f2696b579214bad1c35",
}


def has_fold_files(tu_name: str) -> bool:
    """Whether the reference folds exist for TU dataset ``tu_name`` (``MUTAG``, ``DD``...)."""
    return f"{tu_name}/10fold_idx/test_idx-1.txt" in FOLD_SHA256


def fold_file(tu_name: str, kind: str, fold: int) -> RemoteFile:
    """The ``kind`` (``train`` / ``test``) index file of 1-based fold ``fold``."""
    relative = f"{tu_name}/10fold_idx/{kind}_idx-{fold}.txt"
    return RemoteFile(f"{_MIRROR_DIR}/{relative}", FOLD_SHA256[relative], url=f"{_URL}/{relative}")


def fold_files(tu_name: str) -> tuple[RemoteFile, ...]:
    """Every fold file of ``tu_name`` (none when the reference has no folds for it)."""
    if not has_fold_files(tu_name):
        return ()
    return tuple(fold_file(tu_name, kind, k) for k in range(1, NUM_FOLDS + 1) for kind in ("train", "test"))


def read_fold_splits(fetch: Callable[[RemoteFile], Path], tu_name: str, num_items: int) -> list[dict]:
    """The ``ehgnn_folds`` splits of ``tu_name`` (:func:`graphkit.datasets.splits.fold_file_splits`),
    each file fetched (and checked against its sha256) by ``fetch``."""
    import numpy as np
    import torch

    from graphkit.datasets.splits import fold_file_splits

    def read(kind: str, fold: int):
        return torch.from_numpy(np.loadtxt(fetch(fold_file(tu_name, kind, fold)), dtype=np.int64, ndmin=1))

    folds = range(1, NUM_FOLDS + 1)
    return fold_file_splits([read("train", k) for k in folds], [read("test", k) for k in folds], num_items,
                            where=f"{_MIRROR_DIR}/{tu_name}")
